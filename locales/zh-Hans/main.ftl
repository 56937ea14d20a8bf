### 北宁省电子信息门户网站界面 — 简体中文。

-portal-name = 北宁省电子信息门户网站
-portal-short = 北宁门户网站

## 页眉与导航

site-title = { -portal-name }
    .aria-label = { -portal-short }首页
nav-home = 首页
nav-news = 新闻
nav-government = 政务
nav-services = 公共服务
nav-investment = 投资
nav-tourism = 旅游
nav-contact = 联系我们
nav-menu-toggle = 菜单
    .aria-label = 打开或关闭主菜单
skip-to-content = 跳到主要内容

## 语言切换

language-switcher = 语言
    .title = 选择显示语言
    .aria-label = 切换语言
language-current = 当前语言：{ $language }
language-machine-notice = 本译文由机器自动生成，可能不够准确。

## 文章页

article-published = 发布于 { DATETIME($date) }
article-updated = 更新于 { DATETIME($date, timeStyle: "short") }
article-views =
    { $count ->
        [0] 暂无浏览
       *[other] { NUMBER($count) } 次浏览
    }
article-author = 作者：{ $author }
article-source = 来源：{ $source }
article-reading-time = 阅读约需 { $minutes } 分钟
article-share = 分享
    .title = 分享本文
article-share-facebook = 分享到 Facebook
article-share-zalo = 通过 Zalo 分享
article-copy-link = 复制链接
    .title = 复制本文地址
article-link-copied = 链接已复制。
article-print = 打印文章
article-related = 相关新闻
article-section-label =
    { $section ->
        [news] 新闻栏目
        [government] 政务栏目
        [tourism] 旅游栏目
       *[other] 其他栏目
    }
article-author-role =
    { $gender ->
        [male] 记者 { $author } 先生
        [female] 记者 { $author } 女士
       *[other] 记者 { $author }
    }

## 搜索

search-label = 搜索
search-input =
    .placeholder = 请输入搜索关键词…
    .aria-label = 搜索框
search-button = 搜索
search-results =
    { $count ->
        [0] 未找到与“{ $query }”相关的结果。
       *[other] 找到 { NUMBER($count) } 条与“{ $query }”相关的结果。
    }
search-empty-hint = 请尝试更简短的关键词，或检查拼写。

## 分页

pagination-page = 第 { $page } 页，共 { $total } 页
pagination-previous = 上一页
    .aria-label = 转到上一页
pagination-next = 下一页
    .aria-label = 转到下一页
pagination-label =
    .aria-label = 分页导航

## 错误页

error-404-title = 页面未找到
error-404-body =
    您访问的页面不存在或已被移动。
    请返回{ nav-home }或使用搜索框。
error-500-title = 服务器错误
error-500-body = { -portal-short }出现错误，请稍后再试。
error-back-home = 返回{ nav-home }

## 页脚

footer-copyright = © { $year } { -portal-name }
footer-address = 北宁市水花坊扶董天王路 10 号
footer-hotline = 热线电话：{ $phone }
footer-visitors = 访问量：{ NUMBER($count) }
