### Giao diện Cổng thông tin điện tử tỉnh Bắc Ninh — ngôn ngữ tham chiếu (vi).
### Mọi bản dịch trong locales/<lang>/ được kiểm tra theo tệp này.

-portal-name = Cổng thông tin điện tử tỉnh Bắc Ninh
-portal-short = Cổng TTĐT Bắc Ninh

## Đầu trang và điều hướng

site-title = { -portal-name }
    .aria-label = Trang chủ { -portal-short }
nav-home = Trang chủ
nav-news = Tin tức
nav-government = Chính quyền
nav-services = Dịch vụ công
nav-investment = Đầu tư
nav-tourism = Du lịch
nav-contact = Liên hệ
nav-menu-toggle = Menu
    .aria-label = Mở hoặc đóng menu chính
skip-to-content = Bỏ qua để đến nội dung chính

## Chuyển ngôn ngữ

language-switcher = Ngôn ngữ
    .title = Chọn ngôn ngữ hiển thị
    .aria-label = Chuyển ngôn ngữ
language-current = Đang xem bằng: { $language }
language-machine-notice = Bản dịch này được tạo tự động và có thể chưa chính xác.

## Trang bài viết

article-published = Đăng ngày { DATETIME($date) }
article-updated = Cập nhật lúc { DATETIME($date, timeStyle: "short") }
article-views =
    { $count ->
        [0] Chưa có lượt xem
       *[other] { NUMBER($count) } lượt xem
    }
article-author = Tác giả: { $author }
article-source = Nguồn: { $source }
article-reading-time = { $minutes } phút đọc
article-share = Chia sẻ
    .title = Chia sẻ bài viết này
article-share-facebook = Chia sẻ lên Facebook
article-share-zalo = Chia sẻ qua Zalo
article-copy-link = Sao chép liên kết
    .title = Sao chép địa chỉ bài viết
article-link-copied = Đã sao chép liên kết.
article-print = In bài viết
article-related = Tin liên quan
article-section-label =
    { $section ->
        [news] Chuyên mục Tin tức
        [government] Chuyên mục Chính quyền
        [tourism] Chuyên mục Du lịch
       *[other] Chuyên mục khác
    }
article-author-role =
    { $gender ->
        [male] Ông { $author }, phóng viên
        [female] Bà { $author }, phóng viên
       *[other] { $author }, phóng viên
    }

## Tìm kiếm

search-label = Tìm kiếm
search-input =
    .placeholder = Nhập từ khóa cần tìm…
    .aria-label = Ô tìm kiếm
search-button = Tìm
search-results =
    { $count ->
        [0] Không tìm thấy kết quả nào cho “{ $query }”.
       *[other] Tìm thấy { NUMBER($count) } kết quả cho “{ $query }”.
    }
search-empty-hint = Hãy thử từ khóa ngắn hơn hoặc kiểm tra lại chính tả.

## Phân trang

pagination-page = Trang { $page } / { $total }
pagination-previous = Trang trước
    .aria-label = Đến trang trước
pagination-next = Trang sau
    .aria-label = Đến trang sau
pagination-label =
    .aria-label = Phân trang

## Trang lỗi

error-404-title = Không tìm thấy trang
error-404-body =
    Trang bạn tìm không tồn tại hoặc đã được chuyển đi.
    Vui lòng quay lại { nav-home } hoặc dùng ô tìm kiếm.
error-500-title = Lỗi máy chủ
error-500-body = Đã có lỗi xảy ra trên { -portal-short }. Vui lòng thử lại sau ít phút.
error-back-home = Về { nav-home }

## Chân trang

footer-copyright = © { $year } { -portal-name }
footer-address = Số 10 đường Phù Đổng Thiên Vương, phường Suối Hoa, thành phố Bắc Ninh
footer-hotline = Đường dây nóng: { $phone }
footer-visitors = Lượt truy cập: { NUMBER($count) }
