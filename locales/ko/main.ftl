### 박닌성 전자정부 포털 인터페이스 — 한국어.

-portal-name = 박닌성 전자정부 포털
-portal-short = 박닌 포털

## 머리글과 탐색

site-title = { -portal-name }
    .aria-label = { -portal-short } 홈페이지
nav-home = 홈
nav-news = 뉴스
nav-government = 행정
nav-services = 공공 서비스
nav-investment = 투자
nav-tourism = 관광
nav-contact = 연락처
nav-menu-toggle = 메뉴
    .aria-label = 주 메뉴 열기 또는 닫기
skip-to-content = 본문으로 바로가기

## 언어 선택

language-switcher = 언어
    .title = 표시 언어 선택
    .aria-label = 언어 전환
language-current = 현재 언어: { $language }
language-machine-notice = 이 번역은 자동으로 생성되었으며 정확하지 않을 수 있습니다.

## 기사 페이지

article-published = 게시일: { DATETIME($date) }
article-updated = 수정 시각: { DATETIME($date, timeStyle: "short") }
article-views =
    { $count ->
        [0] 아직 조회 없음
       *[other] 조회수 { NUMBER($count) }회
    }
article-author = 글쓴이: { $author }
article-source = 출처: { $source }
article-reading-time = { $minutes }분 분량
article-share = 공유
    .title = 이 기사 공유하기
article-share-facebook = 페이스북에 공유
article-share-zalo = Zalo로 공유
article-copy-link = 링크 복사
    .title = 이 기사의 주소 복사
article-link-copied = 링크가 복사되었습니다.
article-print = 기사 인쇄
article-related = 관련 기사
article-section-label =
    { $section ->
        [news] 뉴스 섹션
        [government] 행정 섹션
        [tourism] 관광 섹션
       *[other] 기타 섹션
    }
article-author-role =
    { $gender ->
        [male] { $author } 기자
        [female] { $author } 기자
       *[other] { $author } 기자
    }

## 검색

search-label = 검색
search-input =
    .placeholder = 검색어를 입력하세요…
    .aria-label = 검색창
search-button = 검색
search-results =
    { $count ->
        [0] “{ $query }”에 대한 검색 결과가 없습니다.
       *[other] “{ $query }”에 대한 검색 결과 { NUMBER($count) }건
    }
search-empty-hint = 더 짧은 검색어를 사용하거나 맞춤법을 확인해 보세요.

## 페이지 나누기

pagination-page = { $page } / { $total } 페이지
pagination-previous = 이전 페이지
    .aria-label = 이전 페이지로 이동
pagination-next = 다음 페이지
    .aria-label = 다음 페이지로 이동
pagination-label =
    .aria-label = 페이지 탐색

## 오류 페이지

error-404-title = 페이지를 찾을 수 없습니다
error-404-body =
    찾으시는 페이지가 없거나 다른 곳으로 옮겨졌습니다.
    { nav-home }으로 돌아가거나 검색창을 이용해 주세요.
error-500-title = 서버 오류
error-500-body = { -portal-short }에서 오류가 발생했습니다. 잠시 후 다시 시도해 주세요.
error-back-home = { nav-home }으로 돌아가기

## 바닥글

footer-copyright = © { $year } { -portal-name }
footer-address = 박닌시 수오이호아동 푸동티엔브엉로 10번지
footer-hotline = 핫라인: { $phone }
footer-visitors = 방문자 수: { NUMBER($count) }
