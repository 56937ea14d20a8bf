### 기사 아래 댓글.

comments-title =
    { $count ->
        [0] 아직 댓글이 없습니다
       *[other] 댓글 { $count }개
    }
comments-write = 댓글 쓰기
    .placeholder = 이 기사에 대한 의견을 남겨 주세요…
comments-name =
    .placeholder = 이름
comments-submit = 댓글 등록
comments-pending = 댓글이 { -moderator }의 승인을 기다리고 있습니다.
comments-posted-at = { $name } · { DATETIME($date, timeStyle: "short") }

-moderator = 편집부
