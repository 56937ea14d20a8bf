### Bình luận dưới bài viết.

comments-title =
    { $count ->
        [0] Chưa có bình luận
       *[other] { $count } bình luận
    }
comments-write = Viết bình luận
    .placeholder = Ý kiến của bạn về bài viết…
comments-name =
    .placeholder = Họ và tên
comments-submit = Gửi bình luận
comments-pending = Bình luận của bạn đang chờ { -moderator } duyệt.
comments-posted-at = { $name } lúc { DATETIME($date, timeStyle: "short") }

-moderator = ban biên tập
