# Chuỗi giao diện của `dich serve` (tiếng Việt, ngôn ngữ tham chiếu).

## Điều hướng

serve-nav-overview = Tổng quan
serve-nav-ui = Chuỗi giao diện ({ $lang })
serve-signed-in-as = Đã đăng nhập: { $name }
serve-sign-out = Đăng xuất
serve-by-at = bởi { $name } lúc { $at }

## Tổng quan

serve-overview-title = Bản dịch
serve-overview-count = Đang hiển thị: { $count }
serve-filter-search = Tiêu đề
serve-filter-state = Trạng thái
serve-filter-lang = Ngôn ngữ
serve-filter-any = tất cả
serve-filter-apply = Lọc
serve-col-title = Bài viết
serve-col-lang = Ngôn ngữ
serve-col-translation = Bản dịch
serve-col-review = Duyệt
serve-col-file = Tệp

## Bài viết

serve-article-sentences = Từng câu
serve-article-stale = Bản gốc đã thay đổi sau khi bản dịch này được viết; hãy chạy `dich translate` trước khi duyệt.
serve-unaligned = số câu hai bên không khớp nhau
serve-origin-backend = máy dịch: { $backend }
serve-origin-memory = bộ nhớ: { $backend }
serve-origin-human = người dịch
serve-origin-import = nhập từ TMX
serve-origin-unknown = không rõ nguồn
serve-edit = Sửa
serve-save = Lưu
serve-preview = Xem trước
serve-review-state = Duyệt:
serve-your-name = Tên của bạn
serve-reason = Lý do (bắt buộc khi từ chối)
serve-approve = Duyệt
serve-reject = Từ chối
serve-done-saved = Đã lưu. Tệp chứa câu của bạn, và bộ nhớ ghi nhận đó là bản dịch của người.
serve-done-approved = Đã duyệt.
serve-done-rejected = Đã từ chối: bản dịch bị giữ lại cho đến khi tệp thay đổi.

## Chuỗi giao diện

serve-ui-title = Chuỗi giao diện: { $lang }
serve-ui-help = Phần tô vàng là biến; bản sửa phải giữ nguyên tất cả các biến.
serve-ui-edit-in-file = Thông điệp này có nhiều dòng, nhiều biến thể hoặc thuộc tính: hãy sửa trong tệp.
serve-col-id = Thông điệp
serve-col-source = Bản gốc
serve-col-translation-text = Bản dịch
serve-col-state = Trạng thái

## Đăng nhập

serve-sign-in-title = Đăng nhập
serve-token = Mã truy cập
serve-sign-in = Đăng nhập
serve-sign-in-failed = Mã này không thuộc về người duyệt nào của dự án.

## Lỗi

serve-error-title = Chưa thực hiện
serve-error-kept = Nội dung bạn đã nhập, để không bị mất:
serve-back = Quay lại
serve-error-not-found = Không tìm thấy: { $path }
serve-error-stale = Ai đó đã sửa tệp này sau khi bạn mở trang, nên thay đổi của bạn chưa được lưu (nếu lưu sẽ ghi đè lên của họ). Hãy mở lại trang để xem nội dung hiện tại.
serve-error-locked = Một lần chạy `dich translate` đang xử lý dự án. Hãy chờ nó xong rồi lưu lại.
serve-error-empty = Nội dung đang trống.
serve-error-multiline = Mỗi câu nằm trên một dòng.
serve-error-no-sentence = Câu này không còn nữa; hãy mở lại trang.
serve-error-structure = Nội dung này sẽ làm thay đổi cấu trúc trang (định dạng, dấu ngoặc kép trong tiêu đề, đoạn mới); chưa được lưu.
serve-error-not-editable = Không thể sửa thông điệp này ở đây.
serve-error-syntax = Đây không phải văn bản Fluent hợp lệ (có thể thiếu dấu ngoặc nhọn).
serve-error-placeables = Bản dịch phải giữ đúng các biến của bản gốc, ví dụ { "{" } $count { "}" }.
serve-error-path = Đường dẫn này nằm ngoài thư mục nội dung và thư mục ngôn ngữ.
serve-error-sign-in = Hãy đăng nhập trước.
serve-error-csrf = Biểu mẫu đã cũ hoặc đến từ trang khác; hãy mở lại trang.
serve-error-no-name = Hãy cho biết bạn là ai: nhập tên của bạn.
serve-error-no-reason = Từ chối cần có lý do.
serve-error-verdict = Quyết định không hợp lệ.
