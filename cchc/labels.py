"""Names shown for the plan's codes, shared by the site's pages and the
quarterly report (kept apart from cchc.pages so that the report does not
import the chart libraries)."""

#: task status (tien_do TrangThai; chua_bao_cao when a task has no row)
STATUS_VI = {"hoan_thanh": "Hoàn thành", "dang_thuc_hien": "Đang thực hiện", "chua_trien_khai": "Chưa triển khai",
             "chua_bao_cao": "Chưa báo cáo"}

#: the plan's seven areas
AREA_NAMES = {"I": "Cải cách thể chế", "II": "Cải cách thủ tục hành chính", "III": "Cải cách tổ chức bộ máy",
              "IV": "Cải cách chế độ công vụ", "V": "Cải cách tài chính công",
              "VI": "Xây dựng, phát triển chính quyền điện tử, chính quyền số",
              "VII": "Chỉ đạo, điều hành cải cách hành chính"}
