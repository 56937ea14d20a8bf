# The UI strings of `dich serve` (English). The reference locale is `vi`.

## Navigation

serve-nav-overview = Overview
serve-nav-ui = UI strings ({ $lang })
serve-signed-in-as = Signed in as { $name }
serve-sign-out = Sign out
serve-by-at = by { $name } at { $at }

## Overview

serve-overview-title = Translations
serve-overview-count = Shown: { $count }
serve-filter-search = Title
serve-filter-state = State
serve-filter-lang = Language
serve-filter-any = any
serve-filter-apply = Filter
serve-col-title = Article
serve-col-lang = Language
serve-col-translation = Translation
serve-col-review = Review
serve-col-file = File

## Article

serve-article-sentences = Sentence by sentence
serve-article-stale = The source changed since this translation was written; run `dich translate` before approving it.
serve-unaligned = sentences do not line up one to one
serve-origin-backend = machine: { $backend }
serve-origin-memory = memory: { $backend }
serve-origin-human = human
serve-origin-import = imported
serve-origin-unknown = origin unknown
serve-edit = Edit
serve-save = Save
serve-preview = Preview
serve-review-state = Review:
serve-your-name = Your name
serve-reason = Reason (needed to reject)
serve-approve = Approve
serve-reject = Reject
serve-done-saved = Saved. The file holds your text, and the memory keeps it as a person's translation.
serve-done-approved = Approved.
serve-done-rejected = Rejected: held until the file changes.

## UI strings

serve-ui-title = UI strings: { $lang }
serve-ui-help = Text in yellow is a placeable; an edit must keep every one of them.
serve-ui-edit-in-file = This message has several lines, variants or attributes: edit it in the file.
serve-col-id = Message
serve-col-source = Source
serve-col-translation-text = Translation
serve-col-state = State

## Sign-in

serve-sign-in-title = Sign in
serve-token = Access token
serve-sign-in = Sign in
serve-sign-in-failed = That token is not one of this project's reviewers'.

## Errors

serve-error-title = Not done
serve-error-kept = Your text, so that nothing is lost:
serve-back = Back
serve-error-not-found = Not found: { $path }
serve-error-stale = Someone changed this file since you opened the page, so your change was not saved (it would have overwritten theirs). Open the page again to see the current text.
serve-error-locked = A `dich translate` run is working on this project. Wait for it to finish, then save again.
serve-error-empty = The text is empty.
serve-error-multiline = One sentence goes on one line.
serve-error-no-sentence = That sentence no longer exists; open the page again.
serve-error-structure = This text would change the structure of the page (markup, a quote in a title, a new paragraph); it was not saved.
serve-error-not-editable = This message cannot be edited here.
serve-error-syntax = This is not valid Fluent text (a brace may be missing).
serve-error-placeables = The translation must keep exactly the placeables of the source, such as { "{" } $count { "}" }.
serve-error-path = That path is outside the content and locales folders.
serve-error-sign-in = Sign in first.
serve-error-csrf = This form is out of date or came from another site; open the page again.
serve-error-no-name = Say who you are: type your name.
serve-error-no-reason = A rejection needs a reason.
serve-error-verdict = Unknown verdict.
