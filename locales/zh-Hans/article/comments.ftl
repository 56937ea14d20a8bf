### 文章下方的评论。

comments-title =
    { $count ->
        [0] 暂无评论
       *[other] { $count } 条评论
    }
comments-write = 发表评论
    .placeholder = 您对本文有什么看法？
comments-name =
    .placeholder = 姓名
comments-submit = 提交评论
comments-pending = 您的评论正在等待{ -moderator }审核。
comments-posted-at = { $name } 发表于 { DATETIME($date, timeStyle: "short") }

-moderator = 编辑部
