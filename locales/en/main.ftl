### Interface of the Bac Ninh Provincial Portal — English.

-portal-name = Bac Ninh Provincial Government Portal
-portal-short = Bac Ninh Portal

## Header and navigation

site-title = { -portal-name }
    .aria-label = { -portal-short } home page
nav-home = Home
nav-news = News
nav-government = Government
nav-services = Public services
nav-investment = Investment
nav-tourism = Tourism
nav-contact = Contact
nav-menu-toggle = Menu
    .aria-label = Open or close the main menu
skip-to-content = Skip to main content

## Language switcher

language-switcher = Language
    .title = Choose the display language
    .aria-label = Switch language
language-current = Viewing in: { $language }
language-machine-notice = This translation was produced automatically and may contain errors.

## Article page

article-published = Published on { DATETIME($date) }
article-updated = Updated at { DATETIME($date, timeStyle: "short") }
article-views =
    { $count ->
        [0] No views yet
        [one] { NUMBER($count) } view
       *[other] { NUMBER($count) } views
    }
article-author = By { $author }
article-source = Source: { $source }
article-reading-time =
    { $minutes ->
        [one] { $minutes } minute read
       *[other] { $minutes } minutes read
    }
article-share = Share
    .title = Share this article
article-share-facebook = Share on Facebook
article-share-zalo = Share via Zalo
article-copy-link = Copy link
    .title = Copy the address of this article
article-link-copied = Link copied.
article-print = Print article
article-related = Related news
article-section-label =
    { $section ->
        [news] News section
        [government] Government section
        [tourism] Tourism section
       *[other] Other sections
    }
article-author-role =
    { $gender ->
        [male] Mr { $author }, reporter
        [female] Ms { $author }, reporter
       *[other] { $author }, reporter
    }

## Search

search-label = Search
search-input =
    .placeholder = Enter search terms…
    .aria-label = Search box
search-button = Search
search-results =
    { $count ->
        [0] No results found for “{ $query }”.
        [one] Found { NUMBER($count) } result for “{ $query }”.
       *[other] Found { NUMBER($count) } results for “{ $query }”.
    }
search-empty-hint = Try shorter keywords or check the spelling.

## Pagination

pagination-page = Page { $page } of { $total }
pagination-previous = Previous page
    .aria-label = Go to the previous page
pagination-next = Next page
    .aria-label = Go to the next page
pagination-label =
    .aria-label = Pagination

## Error pages

error-404-title = Page not found
error-404-body =
    The page you are looking for does not exist or has been moved.
    Please go back to { nav-home } or use the search box.
error-500-title = Server error
error-500-body = Something went wrong on the { -portal-short }. Please try again in a few minutes.
error-back-home = Back to { nav-home }

## Footer

footer-copyright = © { $year } { -portal-name }
footer-address = 10 Phu Dong Thien Vuong Street, Suoi Hoa Ward, Bac Ninh City
footer-hotline = Hotline: { $phone }
footer-visitors = Visitors: { NUMBER($count) }
