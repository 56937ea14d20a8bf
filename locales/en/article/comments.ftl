### Comments below an article.

comments-title =
    { $count ->
        [0] No comments yet
        [one] { $count } comment
       *[other] { $count } comments
    }
comments-write = Write a comment
    .placeholder = What do you think about this article?
comments-name =
    .placeholder = Full name
comments-submit = Post comment
comments-pending = Your comment is awaiting approval by { -moderator }.
comments-posted-at = { $name } at { DATETIME($date, timeStyle: "short") }

-moderator = the editorial board
