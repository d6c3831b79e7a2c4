# Learner-facing texts, Vietnamese. HTML subset: <b>, <i>. Variables are escaped by hocvuso.i18n.

## Consent (Law on Personal Data Protection No. 91/2025/QH15, in force 1/1/2026, which replaced
## Decree 13/2023/NĐ-CP)
consent-text =
    <b>Chào mừng anh/chị đến với hocvuso – học kỹ năng số qua trò chuyện</b>
    Phục vụ phong trào “Bình dân học vụ số”.

    Trước khi bắt đầu, xin anh/chị đọc và đồng ý với cách chúng tôi xử lý dữ liệu cá nhân, theo Luật Bảo vệ dữ liệu cá nhân số 91/2025/QH15 (thay thế Nghị định 13/2023/NĐ-CP từ ngày 01/01/2026):

    <b>Mục đích:</b> tổ chức việc học, nhắc ôn tập, ghi nhận kết quả và cấp chứng nhận kỹ năng số.
    <b>Dữ liệu được lưu:</b> tên hiển thị và mã trò chuyện Telegram, vai trò, mã đơn vị (nếu có), ngôn ngữ, giờ nhắc, tiến độ học, các câu trả lời và chứng nhận.
    <b>Không thu thập:</b> số điện thoại, số định danh, nội dung trò chuyện khác. Tin nhắn gửi qua hocvuso giữa anh/chị và người hướng dẫn (nếu có) chỉ được giữ để chuyển đi, rồi bị xóa (chậm nhất sau 7 ngày).
    <b>Ai được xem:</b> người tổ chức của đơn vị xem số liệu tổng hợp, và tên của người đã đạt chuẩn (để mời làm người hướng dẫn) hoặc chưa có người hướng dẫn (để ghép); người hướng dẫn của anh/chị (nếu có) xem tên, tiến độ và ngày học gần nhất, không xem câu trả lời. Tên trên bảng thi đua chỉ hiện khi anh/chị đồng ý.
    <b>Quyền của anh/chị:</b> xem và tải toàn bộ dữ liệu (/mydata), sửa thông tin (/settings), rút lại sự đồng ý và yêu cầu xóa dữ liệu (/forget) bất cứ lúc nào.
    Dữ liệu tổng hợp ẩn danh (ví dụ tỷ lệ hoàn thành của đơn vị) có thể được giữ lại để báo cáo.

    Phiên bản điều khoản: { $version }
consent-agree = ✅ Tôi đồng ý
consent-decline = Không đồng ý
consent-declined =
    Chúng tôi tôn trọng quyết định của anh/chị. Không có dữ liệu cá nhân nào được lưu lại.
    Nếu đổi ý, anh/chị chỉ cần gõ /start.
consent-first = Xin anh/chị đọc và bấm “Tôi đồng ý” trước khi bắt đầu.
consent-thanks = Cảm ơn anh/chị đã đồng ý. Chúng ta bắt đầu nhé!
consent-already = Anh/chị đã đồng ý từ trước.
consent-updated = 📄 <b>Điều khoản xử lý dữ liệu đã được cập nhật.</b> Xin anh/chị đọc lại và đồng ý để tiếp tục học. Dữ liệu của anh/chị vẫn được giữ nguyên; /mydata và /forget luôn dùng được.
consent-renewed = Cảm ơn anh/chị đã đồng ý với điều khoản mới.
consent-renew-declined = Anh/chị chưa đồng ý với điều khoản mới nên chưa thể tiếp tục học. Dữ liệu cũ vẫn được giữ; anh/chị có thể tải về (/mydata) hoặc yêu cầu xóa (/forget), hoặc gõ /start để đọc lại điều khoản.

## Onboarding
choose-language = Anh/chị muốn học bằng ngôn ngữ nào? / Which language do you prefer?
language-set = Ngôn ngữ: { $language }
choose-role = Vai trò của anh/chị là gì? Lộ trình học sẽ phù hợp với công việc của anh/chị.
role-deputy = Đại biểu Quốc hội
role-civil_servant = Cán bộ, công chức, viên chức
role-council = Đại biểu HĐND
role-other = Khác
role-set = Vai trò: { $role }
ask-unit =
    Nếu đơn vị đã cấp mã tham gia, xin anh/chị gõ mã đó (ví dụ: K7XQ2M9PLT).
    Nếu chưa có, bấm “Bỏ qua”.
unit-skip = Bỏ qua
unit-skipped = Đã bỏ qua mã đơn vị. Anh/chị có thể nhập sau.
unit-invalid = Mã đơn vị chỉ gồm chữ không dấu, số và các dấu - _ . (2–32 ký tự). Xin anh/chị gõ lại hoặc bấm “Bỏ qua”.
placement-intro =
    <b>Bài kiểm tra xếp lớp</b> ({ $count } câu, khoảng 3 phút)
    Kết quả giúp bỏ qua những phần anh/chị đã vững, để chỉ học những gì còn thiếu.
placement-start = ▶ Làm bài xếp lớp
placement-skip = Bỏ qua, học từ đầu
placement-started = Bắt đầu bài xếp lớp.
placement-skipped = Anh/chị sẽ học từ bài đầu tiên của cấp độ.
placement-result =
    <b>Kết quả xếp lớp: { $score }/{ $total } câu đúng</b>
    Lĩnh vực đã vững: { $areas }
    Lộ trình cấp { $level } của anh/chị còn <b>{ $remaining }</b> bài.
placement-none-mastered = chưa có – chúng ta sẽ học từ đầu

## Study
reviews-intro = 🔁 Trước tiên, ôn lại <b>{ $count }</b> câu anh/chị sắp quên.
reviews-none = Hiện không có câu nào đến hạn ôn tập. 👍
reviews-next = Lần ôn tiếp theo: { $when }.
reviews-done = Ôn tập xong: đúng { $correct }/{ $total } câu.
lesson =
    📘 <b>Bài { $number }/{ $total }</b> · { $area }
    <b>{ $title }</b>

    { $body }

    <i>Nguồn:</i>
    { $sources }
lesson-quiz = ✍️ Làm câu hỏi
lesson-pending = Anh/chị đang học bài “{ $title }”. Bấm nút bên dưới để làm câu hỏi.
question-placement =
    🧭 <b>Xếp lớp · Câu { $number }/{ $total }</b>
    { $question }

    { $options }
question-lesson =
    ✍️ <b>Câu { $number }/{ $total }</b>
    { $question }

    { $options }
question-review =
    🔁 <b>Ôn tập · Câu { $number }/{ $total }</b>
    { $question }

    { $options }
question-exam =
    🎓 <b>Bài thi · Câu { $number }/{ $total }</b>
    { $question }

    { $options }
answer-right =
    { $question }
    Anh/chị chọn: <b>{ $letter }. { $option }</b>
    ✅ <b>Chính xác!</b>
    💡 { $explanation }
answer-wrong =
    { $question }
    Anh/chị chọn: <b>{ $letter }. { $option }</b>
    ❌ <b>Chưa đúng.</b> Đáp án đúng: <b>{ $right_letter }. { $right_option }</b>
    💡 { $explanation }
answer-recorded =
    { $question }
    Anh/chị chọn: <b>{ $letter }. { $option }</b> – đã ghi nhận.
lesson-done =
    🎉 <b>Hoàn thành bài!</b> Đúng { $correct }/{ $total } câu.
    Tiến độ cấp { $level }: { $bar } ({ $done }/{ $lessons } bài)
continue-or-stop = Anh/chị muốn học tiếp hay nghỉ? Mỗi ngày 5–10 phút là đủ.
button-next = ▶ Học tiếp
button-stop = ⏸ Nghỉ, hẹn sau
button-next-pressed = Học tiếp nào!
see-you = Hẹn gặp lại anh/chị! Gõ /learn bất cứ lúc nào để học tiếp.
level-up = ⬆️ Anh/chị chuyển sang cấp <b>{ $level }</b>.
course-complete = 🏆 Anh/chị đã hoàn thành toàn bộ chương trình. Xin chúc mừng!

## Exam
exam-intro =
    🎓 <b>Anh/chị đã học xong cấp { $level }!</b>
    Bài thi gồm { $count } câu, cần đúng ít nhất { $needed } câu (80%) để nhận chứng nhận. Trong khi thi sẽ không hiện đáp án.
exam-ready = Anh/chị sẵn sàng chưa?
exam-start = ▶ Bắt đầu thi
exam-later = Để sau
exam-started = Bắt đầu bài thi. Chúc anh/chị thành công!
exam-cooldown = Anh/chị có thể thi lại từ { $when }. Trong lúc chờ, hãy dùng /review để ôn tập.
exam-failed =
    Kết quả: { $correct }/{ $total } câu đúng (cần { $needed }). Lần này chưa đạt cấp { $level }.
    Đừng nản lòng! Anh/chị có thể thi lại từ { $when }; hãy ôn tập với /review.
exam-passed = 🎉 <b>Chúc mừng! Anh/chị đã đạt cấp { $level }</b> với { $correct }/{ $total } câu đúng.
certificate =
    🎓 <b>CHỨNG NHẬN KỸ NĂNG SỐ</b>
    Cấp { $number } – { $level }
    Cấp cho: <b>{ $name }</b>
    Mã chứng nhận: <code>{ $code }</code>
    Ngày cấp: { $date }
    Kết quả: { $score }/{ $total }
    Kiểm tra chứng nhận: { $url }
certificate-revoked-note = ⚠️ Chứng nhận <code>{ $code }</code> đã bị thu hồi: trang kiểm tra chỉ ghi “đã thu hồi”.
certificate-pdf-caption = 📄 Giấy chứng nhận cấp { $number } (PDF), mã <code>{ $code }</code>. Anh/chị lưu hoặc in tệp này; quét mã QR trên giấy để kiểm tra.
certificate-pdf-failed = Chưa tạo được tệp PDF của giấy chứng nhận; chứng nhận của anh/chị vẫn còn nguyên. Anh/chị gõ /certificate sau ít phút để nhận tệp.
certificate-none = Anh/chị chưa có chứng nhận. Còn { $remaining } bài nữa là đến bài thi cấp { $level }. Gõ /learn để học tiếp.

## Progress and settings
progress =
    📊 <b>Tiến độ của anh/chị</b>
    Cấp hiện tại: <b>{ $level }</b>
    { $bar } ({ $done }/{ $lessons } bài)
    Câu đã trả lời: { $answered } (đúng { $accuracy }%)
    Câu đến hạn ôn: { $due }
    Chuỗi ngày học: { $streak } ngày
    Chứng nhận: { $certificates }
progress-no-certificate = chưa có
settings =
    ⚙️ <b>Cài đặt</b>
    Ngôn ngữ: { $language }
    Giờ nhắc học: { $hour } ({ $timezone })
    Vai trò: { $role }
    Đơn vị: { $unit }
settings-nudges-on = Lời nhắc từ người hướng dẫn: đang nhận
settings-nudges-off = Lời nhắc từ người hướng dẫn: đã tắt
settings-leaderboard-on = Tên trên bảng thi đua: hiện khi đã đạt chuẩn
settings-leaderboard-off = Tên trên bảng thi đua: không hiện
settings-hour = ⏰ Đổi giờ nhắc học
settings-role = 👤 Đổi vai trò
settings-choose-hour = Chọn giờ nhận nhắc học (không nhắc từ 21:00 đến 07:00):
settings-hour-set = Đã đặt giờ nhắc học: { $hour }.
mydata-caption = Đây là toàn bộ dữ liệu hocvuso lưu về anh/chị (tệp JSON).
forget-confirm =
    <b>Xóa dữ liệu cá nhân?</b>
    Tên, mã trò chuyện, lịch ôn tập và nội dung liên lạc sẽ bị xóa vĩnh viễn; anh/chị sẽ không nhận tin nhắn nào nữa. Chỉ số liệu tổng hợp ẩn danh được giữ lại. Việc này không thể hoàn tác.
forget-yes = Xóa dữ liệu của tôi
forget-no = Không, giữ lại
forget-cancelled = Đã hủy. Dữ liệu của anh/chị vẫn được giữ nguyên.
forget-done = Đã xóa dữ liệu cá nhân của anh/chị. Cảm ơn anh/chị đã học cùng hocvuso. Gõ /start nếu muốn bắt đầu lại.

## General
help =
    <b>Các lệnh của hocvuso</b>
    /learn – học tiếp (ôn tập, bài mới, câu hỏi)
    /review – chỉ ôn các câu đến hạn
    /progress – xem tiến độ
    /certificate – xem chứng nhận
    /settings – ngôn ngữ, giờ nhắc, vai trò
    /mydata – tải toàn bộ dữ liệu của anh/chị
    /forget – xóa dữ liệu cá nhân
    /leaderboard – bảng thi đua giữa các đơn vị
    /my_mentor – người hướng dẫn của anh/chị (và rời người hướng dẫn)
    /help – hướng dẫn này
welcome-back = Chào mừng anh/chị { $name } trở lại!
hint-learn = Gõ /learn để học tiếp, hoặc /help để xem các lệnh.
unknown-command = Lệnh này chưa có. Gõ /help để xem các lệnh.
question-retired = Câu hỏi này vừa được thay bằng phiên bản mới của khóa học nên được bỏ qua; kết quả của anh/chị không bị ảnh hưởng.
exam-retired = Đề thi này có câu hỏi vừa được thay bằng phiên bản mới của khóa học, nên lượt thi này được hủy và không tính là trượt. Anh/chị có thể thi lại ngay.
use-buttons = Xin anh/chị chọn bằng các nút bên dưới (hoặc gõ chữ cái của đáp án).
press-stale = Nút này thuộc tin nhắn cũ nên không còn hiệu lực. Không có gì thay đổi.
press-invalid = Yêu cầu không hợp lệ. Không có gì thay đổi.
error-generic = Xin lỗi, đã có lỗi xảy ra. Những câu trả lời đã ghi nhận của anh/chị không bị mất; xin anh/chị thử lại thao tác vừa rồi sau giây lát.
slow-down = Anh/chị thao tác hơi nhanh, xin chờ một chút rồi thử lại.
unsupported-message = hocvuso chỉ hiểu tin nhắn chữ và các nút bấm. Gõ /help để xem các lệnh.
private-only = Xin anh/chị nhắn riêng cho bot để học: trong nhóm, bot không trả lời.

## Bot command descriptions (Telegram menu)
cmd-start = Bắt đầu
cmd-learn = Học tiếp
cmd-review = Ôn tập câu đến hạn
cmd-progress = Xem tiến độ
cmd-settings = Cài đặt
cmd-certificate = Chứng nhận của tôi
cmd-mydata = Tải dữ liệu của tôi
cmd-forget = Xóa dữ liệu cá nhân
cmd-leaderboard = Bảng thi đua đơn vị
cmd-help = Hướng dẫn

## Reminders and "tạm nghỉ" (scheduler)
settings-pause = 😴 Tạm nghỉ nhắc học
settings-paused = Tạm nghỉ nhắc học đến hết ngày { $until }
pause-choose = Anh/chị muốn tạm nghỉ nhận nhắc học trong bao lâu?
pause-days = { $days } ngày
pause-resume = 🔔 Nhắc học lại từ hôm nay
pause-set = Đã tạm nghỉ nhắc học { $days } ngày, đến hết ngày { $until }. Anh/chị vẫn có thể gõ /learn để học bất cứ lúc nào.
pause-resumed = Đã bật lại nhắc học. Hẹn gặp anh/chị vào giờ đã chọn.
reminder-due =
    📚 Anh/chị có <b>{ $due } câu ôn tập đến hạn</b>{ $streak ->
        [0] {""}
       *[other] {" "}· chuỗi { $streak } ngày
    }.
    Chỉ mất vài phút, ôn ngay để nhớ lâu hơn nhé!
reminder-nudge =
    { $streak ->
        [0] 👋 Đã đến giờ học của anh/chị. Một bài ngắn 5 phút hôm nay nhé?
       *[other] 🔥 Chuỗi { $streak } ngày học liên tiếp! Học thêm 5 phút hôm nay để giữ chuỗi nhé.
    }
reminder-learn = ▶️ Học ngay
reminder-pause = 😴 Tạm nghỉ
campaign-learn = ▶️ Học ngay

## Units, organisers and mentors
unit-unknown = Không tìm thấy đơn vị có mã tham gia này. Xin anh/chị kiểm tra lại mã do đơn vị cấp (phân biệt chữ và số, ví dụ: K7XQ2M9PLT) hoặc bấm “Bỏ qua”.
unit-unknown-link = Đường dẫn tham gia đơn vị này không còn hiệu lực (có thể mã đã được đổi). Xin anh/chị đề nghị đơn vị gửi lại đường dẫn mới.
unit-already = Anh/chị đã thuộc đơn vị <b>{ $unit }</b>.
unit-moved = Anh/chị đã chuyển sang đơn vị <b>{ $unit }</b> ({ $code }). Kết quả học tập và chứng nhận của anh/chị được giữ nguyên.
unit-joined = Anh/chị đã tham gia đơn vị: <b>{ $unit }</b> ({ $code }).
unit-not-found = Không có đơn vị mã { $code }.
units-file-type = Tệp { $name }: chỉ nhận tệp .csv, .yaml hoặc .yml.
units-file-encoding = Tệp { $name } không đọc được: xin anh/chị lưu tệp ở dạng UTF-8 (Excel: “CSV UTF-8”).
units-file-yaml = Tệp { $name } sai cú pháp YAML ở dòng { $line }.
units-file-columns = Tệp đơn vị cần các cột (hoặc trường) code, name và parent (không bắt buộc).
units-bad-code = Dòng { $row }: mã đơn vị “{ $code }” không hợp lệ (1–32 ký tự: chữ không dấu, số, - _ .).
units-bad-name = Dòng { $row }: đơn vị { $code } chưa có tên (tên chỉ gồm dấu cách hoặc ký tự vô hình không được nhận) hoặc tên dài quá 300 ký tự. Chưa có đơn vị nào được nhập; xin anh/chị sửa tệp rồi nhập lại.
units-duplicate = Dòng { $row }: mã đơn vị { $code } bị lặp.
units-unknown-parent = Dòng { $row }: đơn vị { $code } thuộc đơn vị cha { $parent } nhưng không tìm thấy đơn vị này.
units-cycle = Đơn vị { $code } nằm trong một vòng lặp cha–con (một đơn vị không thể thuộc chính nó hoặc cấp dưới của nó).
forbidden-report = Xin lỗi, chỉ người tổ chức của đơn vị mới xem được báo cáo.
forbidden-broadcast = Xin lỗi, chỉ người tổ chức của đơn vị mới gửi được thông báo.
forbidden-invite-mentor = Xin lỗi, chỉ người tổ chức của đơn vị mới mời được người hướng dẫn.
forbidden-link-mentee = Xin lỗi, chỉ người tổ chức của đơn vị mới ghép được người hướng dẫn với học viên.
forbidden-grant = Xin lỗi, chỉ quản trị viên mới cấp hoặc thu hồi được vai trò.
forbidden-audit = Xin lỗi, chỉ quản trị viên mới xem được nhật ký thao tác.
forbidden-revoke-certificate = Xin lỗi, chỉ quản trị viên mới thu hồi được chứng nhận.
certificate-not-found = Không có chứng nhận nào mang mã { $code }. Anh/chị kiểm tra lại mã (dạng HVS1-ABCD-EFGH).
certificate-reason-needed = Cần ghi lý do thu hồi (tối đa { $max } ký tự).
forbidden-mentees = Chức năng này dành cho người hướng dẫn (hạt nhân lan tỏa).
forbidden-nudge = Chức năng nhắc nhở dành cho người hướng dẫn (hạt nhân lan tỏa).
forbidden-unit = Anh/chị không có quyền với đơn vị { $code } (hoặc đơn vị này không tồn tại).
forbidden-learner = Người này không thuộc phạm vi đơn vị anh/chị phụ trách.
forbidden-mentee = Người này không phải học viên anh/chị hướng dẫn.
forbidden-reply = Không thể trả lời qua tin nhắn này nữa.
learner-not-found = Không tìm thấy học viên này.
learner-chat-ambiguous = Cuộc trò chuyện này là học viên của nhiều bot: xin dùng số học viên (--learner) thay cho số chat.
organiser-needs-unit = Vai trò người tổ chức cần gắn với một đơn vị.
mentor-needs-certificate = Người hướng dẫn cần có chứng nhận kỹ năng số cấp { $level } trước.
invite-invalid = Lời mời này không hợp lệ hoặc đã được sử dụng.
invite-already-held = Anh/chị đã có vai trò này rồi; lời mời vẫn còn nguyên để dành cho người khác.
invite-expired = Lời mời này đã hết hạn. Xin anh/chị đề nghị người mời gửi lời mời mới.
invite-bad-hours = Thời hạn lời mời phải từ 1 giờ đến 30 ngày.
mentor-self = Anh/chị không thể tự hướng dẫn chính mình.
mentor-not-mentor = Người này chưa là người hướng dẫn.
mentor-code-invalid = Đường dẫn của người hướng dẫn không còn hiệu lực.
mentee-linked = Anh/chị đã được kết nối với người hướng dẫn <b>{ $mentor }</b>. Người hướng dẫn sẽ đồng hành và có thể nhắc anh/chị học.
mentee-already-linked = Anh/chị đã được kết nối với người hướng dẫn <b>{ $mentor }</b> từ trước.
mentor-code-expired = Đường dẫn của người hướng dẫn đã hết hạn. Xin anh/chị đề nghị người hướng dẫn gửi đường dẫn mới.
mentor-link-confirm =
    🤝 <b>{ $mentor }</b> mời anh/chị nhận mình làm người hướng dẫn (hạt nhân lan tỏa).
    Người hướng dẫn sẽ thấy tên, tiến độ học và ngày hoạt động gần nhất của anh/chị (không thấy các câu trả lời), và có thể nhắc anh/chị học. Anh/chị có đồng ý không?
mentor-link-yes = ✅ Đồng ý
mentor-link-no = Từ chối
mentor-link-declined = Anh/chị đã từ chối. Không có kết nối nào được tạo; anh/chị vẫn học bình thường.
mentee-left = { $name } đã thôi nhận hướng dẫn từ anh/chị. Cảm ơn anh/chị đã đồng hành cùng đồng nghiệp!
mentor-not-linked = Anh/chị không còn được kết nối với người hướng dẫn này.
my-mentor-none = Anh/chị chưa có người hướng dẫn. Khi đồng nghiệp gửi đường dẫn mời, anh/chị có thể nhận họ làm người hướng dẫn.
my-mentor-title = 🤝 <b>Người hướng dẫn của anh/chị</b>:
my-mentor-line = • { $name }
my-mentor-leave-button = Rời người hướng dẫn { $name }
my-mentor-left = Anh/chị đã thôi nhận <b>{ $name }</b> làm người hướng dẫn; người hướng dẫn đã được báo tin. Anh/chị vẫn tiếp tục học bình thường.
role-granted-mentor = 🌱 Anh/chị đã trở thành <b>người hướng dẫn (hạt nhân lan tỏa)</b> của { $unit }. Gõ /mentees để xem học viên, /mentor_link để lấy đường dẫn mời học viên.
role-granted-organiser = 🏛 Anh/chị đã trở thành <b>người tổ chức</b> của { $unit }. Gõ /report để xem báo cáo, /broadcast để gửi thông báo, /invite_mentor để mời người hướng dẫn.
role-granted-admin = 🔑 Anh/chị đã trở thành <b>quản trị viên</b> của hệ thống.

## Reports
report-title =
    📊 <b>Báo cáo: { $unit }</b> – ngày { $date }
    Mục tiêu: { $percent }% đạt chuẩn cấp { $level } trước { $deadline }
report-all-units = Toàn hệ thống
report-total = Tổng cộng
report-direct = { $name } – trực thuộc trực tiếp
report-row =
    <b>{ $name }</b> ({ $code })
    Tham gia: { $joined } · hoạt động 7 ngày: { $active }
    Đạt chuẩn: { $certified } · tỷ lệ cấp { $level }: { $rate }
    Đạt { $percent } mục tiêu · dự báo: { $forecast }
report-unassigned = ℹ️ { $count } người chưa thuộc đơn vị nào (bỏ qua bước chọn đơn vị) nên không có trong bảng. Gửi họ đường dẫn tham gia của đơn vị để tính vào báo cáo.
report-download = 📥 Tải báo cáo Excel (đủ mọi đơn vị)
report-more = … và { $count } đơn vị khác: bấm “Tải báo cáo Excel” để xem đủ.
report-col-code = Mã đơn vị
report-col-name = Tên đơn vị
report-col-joined = Số người tham gia
report-col-active-7d = Hoạt động 7 ngày qua
report-col-certified-level-1 = Đạt chuẩn cấp 1
report-col-certified-level-2 = Đạt chuẩn cấp 2
report-col-certified-level-3 = Đạt chuẩn cấp 3
report-col-certified-level-4 = Đạt chuẩn cấp 4
report-col-certified-percent = Tỷ lệ đạt chuẩn (%)
report-col-percent-of-target = Đạt so với mục tiêu (%)
report-col-forecast = Dự báo
forecast-reached = đã đạt mục tiêu
forecast-on-track = kịp, dự kiến ngày { $when }
forecast-late = không kịp (dự kiến ngày { $when })
forecast-no-activity = không kịp (chưa có người đạt chuẩn trong { $days } ngày qua)
forecast-nobody = chưa có người tham gia

## Broadcasts by organisers
broadcast-compose = 📣 Anh/chị gõ nội dung thông báo gửi tới học viên của <b>{ $unit }</b>. Tin tiếp theo của anh/chị sẽ được xem trước khi gửi.
broadcast-too-long = Nội dung thông báo cần từ 1 đến { $limit } ký tự khi gửi (mỗi dấu &amp;, &lt; hoặc &gt; tính là 4–5 ký tự); bản anh/chị vừa gõ dài { $length } ký tự. Chưa có tin nào được gửi; xin anh/chị gõ lại.
broadcast-preview =
    <b>Xem trước thông báo</b> gửi tới { $count } học viên của { $unit }:

    { $text }

    Gõ lại nếu muốn sửa nội dung.
broadcast-send = ✅ Gửi
broadcast-cancel = ✖️ Hủy
broadcast-cancelled = Đã hủy thông báo. Không có tin nào được gửi.
broadcast-queued = 📣 Thông báo đang được gửi tới { $count } học viên. Anh/chị sẽ được báo khi gửi được 25%, 50%, 75% và khi gửi xong.
broadcast-abandoned = Bản nháp thông báo chưa gửi đã được hủy; không có tin nào được gửi. Gõ /broadcast để soạn lại.
nudge-abandoned = Lời nhắc đang viết dở đã được hủy; chưa có tin nào được gửi.
reply-abandoned = Câu trả lời đang viết dở cho người hướng dẫn đã được hủy; chưa có tin nào được gửi.
broadcast-step = 📣 Thông báo của anh/chị đã gửi được { $percent }%: { $sent }/{ $total } người.
broadcast-done = ✅ Đã gửi xong thông báo: { $sent }/{ $total } người đã nhận; { $failed } người không nhận được (đã chặn bot hoặc lỗi gửi).
broadcast-refresh = 🔄 Cập nhật tiến độ
broadcast-progress = 📣 Đã gửi { $sent }/{ $total } · đang chờ { $waiting } · không gửi được { $failed } (lúc { $time })

## Mentors and nudges
mentees-none = Anh/chị chưa có học viên nào. Gửi đường dẫn này cho đồng nghiệp để họ nhận anh/chị làm người hướng dẫn: { $link }
mentees-title = 👥 <b>Học viên của anh/chị ({ $count })</b> – người cần giúp đỡ được xếp trước:
mentee-line = • <b>{ $name }</b>: { $standing } · cấp { $level }: { $done }/{ $lessons } bài · hoạt động lần cuối: { $last }
mentees-invite = Mời thêm học viên: { $link }
standing-not-started = chưa bắt đầu
standing-inactive = không hoạt động từ 7 ngày
standing-behind = chậm so với tiến độ cần thiết
standing-on-track = đúng tiến độ
standing-certified = đã đạt chuẩn ✅
nudge-button = 🔔 Nhắc nhở { $name }
nudge-choose = Anh/chị muốn nhắc { $name } thế nào?
nudge-template-button = 📨 Gửi lời nhắc mẫu
nudge-custom-button = ✍️ Tự viết lời nhắc
nudge-write = Anh/chị gõ lời nhắc gửi { $name } (tối đa { $limit } ký tự).
nudge-sent = Đã gửi lời nhắc tới { $name }. Cảm ơn anh/chị đã đồng hành!
nudge-sent-later = Lời nhắc tới { $name } sẽ được gửi lúc { $time } (giờ của người nhận), sau giờ nghỉ đêm. Cảm ơn anh/chị đã đồng hành!
nudge-unreachable = Hiện không gửi được lời nhắc tới { $name } (có thể người này đã chặn hoặc ngừng dùng hocvuso). Lời nhắc không được tính vào giới hạn.
nudge-no-consent = Hiện không thể gửi lời nhắc tới học viên này. Lời nhắc không được tính vào giới hạn.
reply-limit = Anh/chị đã trả lời { $limit } lần qua lời nhắc này. Xin anh/chị liên hệ trực tiếp với người hướng dẫn nếu cần trao đổi thêm.
nudge-template =
    👋 Chào anh/chị { $name }! Người hướng dẫn <b>{ $mentor }</b> nhắc anh/chị dành 5 phút hôm nay để học tiếp kỹ năng số.
    Nếu cần giúp đỡ, anh/chị có thể trả lời ngay tại đây.
nudge-custom =
    💬 Lời nhắn từ người hướng dẫn <b>{ $mentor }</b>:
    { $text }
nudge-reply-button = ✉️ Trả lời người hướng dẫn
nudge-mute-button = 🔕 Không nhận lời nhắc
nudge-unmute-button = 🔔 Nhận lời nhắc trở lại
nudges-muted = Đã tắt lời nhắc từ người hướng dẫn. Anh/chị có thể bật lại bất cứ lúc nào.
nudges-unmuted = Đã bật lại lời nhắc từ người hướng dẫn.
nudge-muted = { $name } đã tắt nhận lời nhắc. Xin anh/chị tôn trọng lựa chọn này.
nudge-too-soon = { $name } đã được nhắc trong { $hours } giờ qua. Xin anh/chị chờ thêm để không làm phiền.
nudge-daily-limit = Anh/chị đã gửi { $limit } lời nhắc trong 24 giờ qua, đây là mức tối đa. Xin anh/chị tiếp tục vào ngày mai.
nudge-bad-length = Tin nhắn cần từ 1 đến { $limit } ký tự. Xin anh/chị gõ lại.
reply-write = Anh/chị gõ câu trả lời gửi người hướng dẫn (tối đa { $limit } ký tự).
reply-sent = Đã chuyển câu trả lời của anh/chị tới { $name }.
reply-unreachable = Hiện không thể gửi tin tới người hướng dẫn. Xin anh/chị thử lại sau.
nudge-reply =
    ✉️ <b>{ $name }</b> trả lời lời nhắc của anh/chị:
    { $text }
mentee-certified = 🎓 Học viên <b>{ $name }</b> của anh/chị vừa đạt chứng nhận kỹ năng số cấp { $level }. Cảm ơn anh/chị đã đồng hành!
mentor-link = Đường dẫn mời đồng nghiệp nhận anh/chị làm người hướng dẫn (hiệu lực đến { $until }): { $link }
mentor-link-renewed = Đã tạo đường dẫn mới (hiệu lực đến { $until }); đường dẫn cũ không còn dùng được: { $link }
mentor-link-new-button = 🔄 Tạo đường dẫn mới
mentor-invite =
    🌱 Lời mời làm <b>người hướng dẫn (hạt nhân lan tỏa)</b> của { $unit }, dùng một lần, hiệu lực đến { $until }:
    { $link }
    Người nhận cần có chứng nhận cấp 1.

## Leaderboard
leaderboard-title = 🏆 <b>Bảng thi đua</b>: tỷ lệ đạt chuẩn cấp { $level } theo đơn vị
leaderboard-people = Đã đạt chuẩn trong đơn vị (người đồng ý hiện tên): { $names }
leaderboard-show = 🙋 Hiện tên tôi khi đã đạt chuẩn
leaderboard-hide = 🙈 Không hiện tên tôi
leaderboard-shown = Tên của anh/chị sẽ được hiện khi đã đạt chuẩn.
leaderboard-hidden = Tên của anh/chị sẽ không được hiện.
leaderboard-no-unit = Anh/chị chưa tham gia đơn vị nào. Hãy dùng đường dẫn hoặc mã tham gia do đơn vị cấp.

## Suggested mentors
report-candidates = 💡 { $count } người đã có chứng nhận cấp 1 nhưng chưa là người hướng dẫn. Gõ /mentor_candidates để mời họ làm hạt nhân lan tỏa.
mentor-candidates-none = Hiện chưa có người nào đã đạt chứng nhận cấp 1 mà chưa là người hướng dẫn trong đơn vị của anh/chị.
mentor-candidates-title = 🌱 <b>Gợi ý người hướng dẫn ({ $count })</b>: đã có chứng nhận cấp 1, chưa là người hướng dẫn. Người mới đạt chuẩn được xếp trước.
mentor-candidate-line = • <b>{ $name }</b> – { $unit } · đạt chuẩn ngày { $date }
mentor-invite-button = 🌱 Mời { $name }
mentor-invitation-sent = Đã gửi lời mời tới { $name }.
mentor-invitation-open = { $name } đã được mời, lời mời còn hiệu lực đến { $until }. Không gửi thêm lời mời.
mentor-invites-capped = Anh/chị đang có { $limit } lời mời chưa được trả lời. Xin chờ đồng nghiệp trả lời hoặc lời mời hết hạn rồi mời thêm.
mentor-invitation =
    🌱 Người tổ chức <b>{ $organiser }</b> mời anh/chị trở thành <b>người hướng dẫn (hạt nhân lan tỏa)</b> của { $unit }: giúp đồng nghiệp cùng học, nhắc nhở người còn chậm, để "không ai bị bỏ lại phía sau".
    Người hướng dẫn chỉ thấy tên, tiến độ và ngày học gần nhất của học viên mình, không thấy câu trả lời. Lời mời có hiệu lực đến { $until }; nếu chưa sẵn sàng, anh/chị chỉ cần bỏ qua tin nhắn này.
mentor-invitation-accept = 🌱 Tôi đồng ý làm người hướng dẫn
mentor-invitation-accepted = 🌱 <b>{ $name }</b> đã nhận lời làm người hướng dẫn của { $unit }. Cảm ơn anh/chị!

## Help for mentors and organisers
help-mentor =
    <b>Người hướng dẫn (hạt nhân lan tỏa)</b>
    /mentees – học viên của anh/chị, người cần giúp được xếp trước, nút nhắc nhở
    /mentor_link – đường dẫn mời đồng nghiệp nhận anh/chị làm người hướng dẫn
help-organiser =
    <b>Người tổ chức</b>
    /report [mã đơn vị] – báo cáo theo đơn vị so với mục tiêu, có dự báo
    /dashboard – đường dẫn đăng nhập trang tổng quan trên web (dùng một lần, 10 phút)
    /broadcast [mã đơn vị] – soạn, xem trước và gửi thông báo
    /mentor_candidates – gợi ý người đã đạt chuẩn để mời làm người hướng dẫn
    /invite_mentor [mã đơn vị] – đường dẫn mời làm người hướng dẫn (dùng một lần)
    /assign_mentor [mã đơn vị] – giao đồng nghiệp chưa có người hướng dẫn cho một người hướng dẫn

## Organisers pair mentors and mentees
pairing-no-mentors = Đơn vị của anh/chị chưa có người hướng dẫn nào. Gõ /mentor_candidates để mời người đã đạt chuẩn.
pairing-choose-mentor = 🤝 Chọn người hướng dẫn để giao thêm học viên (người đang hướng dẫn ít người nhất được xếp trước):
pairing-mentor-button = { $name } ({ $count } học viên)
pairing-choose-mentee = 🤝 Chọn đồng nghiệp chưa có người hướng dẫn để giao cho <b>{ $mentor }</b> (người chưa bắt đầu hoặc lâu không học được xếp trước):
pairing-mentee-line = • <b>{ $name }</b> – { $unit } · hoạt động lần cuối: { $last }
pairing-mentee-button = ➕ { $name }
pairing-no-mentees = Mọi đồng nghiệp chưa đạt chuẩn trong phạm vi này đều đã có người hướng dẫn. Cảm ơn { $mentor } và anh/chị!
paired = Đã giao { $name } cho người hướng dẫn { $mentor }.
paired-mentee = 🤝 Đơn vị đã kết nối anh/chị với người hướng dẫn <b>{ $mentor }</b>, người sẽ đồng hành và có thể nhắc anh/chị học. Người hướng dẫn chỉ thấy tiến độ và ngày học gần nhất của anh/chị, không thấy câu trả lời; anh/chị có thể tắt lời nhắc trong /settings.
paired-mentor = 🤝 Người tổ chức đã giao học viên <b>{ $name }</b> cho anh/chị hướng dẫn. Gõ /mentees để xem.

## Certified export for the national platform (hocvuso export certified)
certified-col-no = STT
certified-col-name = Họ và tên
certified-col-unit-code = Mã đơn vị
certified-col-unit-name = Tên đơn vị
certified-col-role = Đối tượng
certified-col-level = Cấp độ
certified-col-certificate = Mã chứng nhận
certified-col-issued-iso = Ngày cấp (ISO)
certified-col-issued-vn = Ngày cấp
certified-col-verify-url = Đường dẫn xác minh
export-format = Định dạng không hợp lệ. Xin anh/chị chọn một trong: { $formats }.
export-level = Cấp độ phải là 1, 2, 3 hoặc 4.

## Item analysis of the questions (hocvuso report questions)
qstats-title-exam = Phân tích câu hỏi (bài thi)
qstats-title-lesson = Phân tích câu hỏi (bài học)
qstats-col-question = Mã câu hỏi
qstats-col-level = Cấp độ
qstats-col-area = Lĩnh vực
qstats-col-attempts = Số lượt trả lời
qstats-col-correct = Số lượt đúng
qstats-col-facility = Chỉ số dễ (%)
qstats-col-discrimination = Chỉ số phân biệt (%)
qstats-col-efficiency = Hiệu quả phân biệt (%)
qstats-col-flags = Cảnh báo
qstats-col-key = Đáp án đúng
qstats-col-option = Chọn { $letter } (%)
qstats-flag-low-efficiency = hiệu quả phân biệt dưới 15%
qstats-flag-negative-discrimination = phân biệt âm

## Retention: predicted against measured recall (hocvuso report retention)
retention-title = Ghi nhớ: dự đoán của FSRS so với kết quả ôn tập
retention-col-level = Cấp độ
retention-col-area = Lĩnh vực
retention-col-bin = Khoảng dự đoán
retention-col-reviews = Số lượt ôn tập
retention-col-predicted = Dự đoán nhớ (%)
retention-col-measured = Thực tế nhớ (%)
retention-col-gap = Chênh lệch (điểm %)
retention-all = Tất cả
retention-all-bins = Mọi khoảng
## The organisers' web dashboard (/dashboard; hocvuso.web.dashboard)
dashboard-link =
    🔐 Đường dẫn đăng nhập trang tổng quan của anh/chị (dùng một lần, hiệu lực { $minutes } phút, chỉ dành cho anh/chị — xin đừng chuyển cho người khác):
    { $url }
dashboard-link-invalid = Đường dẫn đăng nhập này không còn dùng được (đã dùng, đã hết hạn hoặc không đúng). Anh/chị gõ /dashboard trong trò chuyện với bot để nhận đường dẫn mới.
dashboard-link-other = Trình duyệt này đang đăng nhập bằng tài khoản của người khác. Anh/chị hãy đăng xuất trước, rồi gõ /dashboard để nhận đường dẫn mới.
dashboard-signed-out = Phiên đăng nhập đã hết hạn hoặc đã đăng xuất. Anh/chị gõ /dashboard trong trò chuyện với bot để nhận đường dẫn đăng nhập mới.
dashboard-no-unit = Không tìm thấy đơn vị này.
dashboard-csrf = Yêu cầu không hợp lệ (thiếu hoặc sai mã bảo vệ của biểu mẫu). Anh/chị tải lại trang rồi thử lại.
dash-title = Trang tổng quan
dash-skip = Bỏ qua, tới nội dung chính
dash-lang-switch = English
dash-confirm-title = Đăng nhập trang tổng quan
dash-confirm-text = Anh/chị bấm nút dưới đây để đăng nhập. Đường dẫn chỉ dùng được một lần.
dash-confirm-button = Đăng nhập
dash-logout = Đăng xuất
dash-logged-out = Anh/chị đã đăng xuất. Gõ /dashboard trong trò chuyện với bot để đăng nhập lại.
dash-overview = Tổng quan: { $unit }
dash-all-units = toàn hệ thống
dash-target = Mục tiêu: { $percent }% đạt chuẩn cấp độ { $level } trước ngày { $deadline }
dash-as-of = Số liệu ngày { $date } (cùng số liệu với /report)
dash-card-joined = Học viên
dash-card-certified = Đã đạt chuẩn (cấp { $level })
dash-card-active = Học trong 7 ngày
dash-card-forecast = Dự báo
dash-in-time = kịp
dash-not-in-time = không kịp
dash-filter-label = Lọc theo tên hoặc mã đơn vị
dash-filter-late = Chỉ đơn vị không kịp
dash-filter-apply = Lọc
dash-sort-label = Sắp xếp theo
dash-sort-apply = Sắp xếp
dash-sort-code = Mã đơn vị
dash-sort-name = Tên
dash-sort-percent = % đạt chuẩn
dash-sort-active = Học trong 7 ngày
dash-sort-forecast = Dự báo
dash-col-unit = Đơn vị
dash-col-outlook = Kịp hạn?
dash-table-caption = Các đơn vị trực thuộc
dash-no-rows = Không có đơn vị nào khớp bộ lọc.
dash-download = Tải về:
dash-people = Học viên trực tiếp của đơn vị ({ $count })
dash-people-hidden = { $count } học viên chưa đồng ý điều khoản hiện hành nên không hiện tên.
dash-people-more = Còn { $count } học viên nữa trong tệp tải về.
dash-people-caption = Tên, cấp độ đang học, cấp độ đã đạt chuẩn và ngày học gần nhất (không có câu trả lời nào)
dash-col-person = Họ tên
dash-col-level = Cấp độ đang học
dash-col-certified = Cấp cao nhất đã đạt
dash-col-last-active = Ngày học gần nhất
dash-col-at-target = Đạt mục tiêu?
dash-yes = có
dash-no = chưa
dash-never = chưa học
dash-back = ← Tổng quan
dash-trend = Xu hướng
dash-error-title = Không vào được trang

## dashboard: broadcasts
dash-nav-broadcasts = Thông báo
dash-bc-list-title = Thông báo gửi học viên
dash-bc-new-link = Soạn thông báo mới
dash-bc-list-caption = Các thông báo gần đây trong phạm vi anh/chị phụ trách
dash-bc-none = Chưa có thông báo nào.
dash-bc-col-when = Thời gian
dash-bc-col-unit = Gửi tới
dash-bc-col-text = Nội dung
dash-bc-col-total = Số người nhận
dash-bc-col-progress = Tiến độ
dash-bc-new-title = Soạn thông báo
dash-bc-unit-label = Gửi tới đơn vị
dash-bc-unit-hint = Thông báo gửi tới cả các đơn vị trực thuộc của đơn vị được chọn.
dash-bc-text-label = Nội dung thông báo
dash-bc-text-hint = Tối đa { $limit } ký tự khi gửi (mỗi dấu &amp;, &lt; hoặc &gt; tính là 4–5 ký tự). Học viên nhận đúng nội dung anh/chị gõ, không định dạng.
dash-bc-levels-legend = Chỉ gửi tới học viên đang học cấp độ (không chọn: mọi cấp độ)
dash-bc-level = Cấp { $level }
dash-bc-roles-legend = Chỉ gửi tới học viên có vai trò (không chọn: mọi vai trò)
dash-bc-learn-button = Kèm nút “Học ngay” để học viên bắt đầu học
dash-bc-preview-button = Xem trước
dash-bc-preview-title = Xem trước thông báo
dash-bc-reach = Thông báo sẽ được gửi tới { $count } học viên của { $unit }.
dash-bc-reach-note = Chỉ tính học viên đang hoạt động, đã kết nối với bot và đã đồng ý điều khoản hiện hành.
dash-bc-filters = Chỉ gửi tới: { $filters }
dash-bc-as-seen = Học viên sẽ nhận được:
dash-bc-send = Gửi thông báo
dash-bc-edit = Sửa lại
dash-bc-empty = Anh/chị chưa gõ nội dung thông báo. Chưa có tin nào được gửi.
dash-bc-too-long = Nội dung thông báo cần từ 1 đến { $limit } ký tự khi gửi (mỗi dấu &amp;, &lt; hoặc &gt; tính là 4–5 ký tự); bản anh/chị vừa gõ dài { $length } ký tự. Chưa có tin nào được gửi; xin anh/chị rút gọn rồi xem trước lại.
dash-bc-bad-option = Lựa chọn cấp độ hoặc vai trò không hợp lệ. Xin anh/chị chọn lại trong danh sách.
dash-bc-stale = Trang xem trước này không còn dùng được. Chưa có tin nào được gửi; xin anh/chị bấm “Xem trước” lại.
dash-bc-unknown = Không tìm thấy thông báo này.
dash-bc-error = Chưa xem trước được thông báo:
dash-bc-progress-title = Tiến độ gửi thông báo
dash-bc-created = Tạo lúc { $time }
dash-bc-total = Số người nhận
dash-bc-sent = Đã gửi
dash-bc-failed = Không gửi được
dash-bc-waiting = Đang chờ gửi
dash-bc-percent = Đã xử lý { $percent }%
dash-bc-done = ✓ Đã gửi xong.
dash-bc-running = ⏳ Đang gửi. Số liệu tự cập nhật mỗi 2 giây.
dash-bc-refresh = Cập nhật tiến độ
dash-bc-chat-note = Anh/chị cũng được báo trong trò chuyện với bot khi gửi được 25%, 50%, 75% và khi gửi xong.
dash-bc-back = ← Các thông báo
## dashboard: questions, retention, audit log, trend chart
dash-nav-questions = Câu hỏi
dash-nav-retention = Ghi nhớ
dash-nav-audit = Nhật ký
dash-questions-title = Phân tích câu hỏi bài thi
dash-questions-intro = Với mỗi câu hỏi trong các bài thi đã hoàn thành của học viên thuộc phạm vi của anh/chị: chỉ số dễ, chỉ số phân biệt và hiệu quả phân biệt (theo cách tính của Moodle). Câu hỏi được cảnh báo khi hiệu quả phân biệt dưới { $low }% hoặc chỉ số phân biệt âm.
dash-computed-at = Số liệu được tính lúc { $time } (giờ Việt Nam; được lưu lại vài phút).
dash-unit-code = Mã đơn vị
dash-level-label = Cấp độ
dash-level-all = Tất cả cấp độ
dash-qsort-pack = Thứ tự trong bộ nội dung
dash-qsort-question = Mã câu hỏi
dash-qsort-attempts = Số lượt trả lời
dash-qsort-facility = Chỉ số dễ
dash-qsort-discrimination = Chỉ số phân biệt
dash-qsort-efficiency = Hiệu quả phân biệt
dash-qsort-flags = Cảnh báo
dash-questions-none = Chưa có bài thi nào hoàn thành trong phạm vi này.
dash-questions-caption = Các câu hỏi ({ $count })
dash-col-level-area = Cấp độ · lĩnh vực
dash-option-shares = Tỷ lệ chọn từng phương án (số lượt):
dash-correct-option = đáp án đúng
dash-not-in-pack = không còn trong bộ nội dung
dash-flag-none = không có
dash-retention-intro = Khả năng nhớ mà FSRS dự đoán khi ôn tập, so với tỷ lệ trả lời đúng thực tế trong các lượt ôn tập đó, theo cấp độ, lĩnh vực và khoảng dự đoán.
dash-retention-none = Chưa có lượt ôn tập nào trong phạm vi này.
dash-calibration-title = Biểu đồ hiệu chỉnh: dự đoán so với thực tế
dash-calibration-desc = Trục ngang là khả năng nhớ được dự đoán, trục dọc là tỷ lệ nhớ thực tế; đường chéo là dự đoán đúng hoàn toàn. Tổng cộng { $reviews } lượt ôn tập: dự đoán { $predicted }%, thực tế { $measured }%. Từng khoảng:
dash-calibration-caption = Mỗi chấm là một khoảng dự đoán; chấm nằm dưới đường chéo nghĩa là học viên nhớ ít hơn dự đoán. Số liệu chi tiết có trong bảng dưới đây.
dash-retention-caption = Dự đoán và thực tế theo cấp độ, lĩnh vực và khoảng dự đoán
dash-audit = Nhật ký hoạt động
dash-audit-intro = Mọi thao tác của người tổ chức và quản trị viên, mới nhất trước. Việc xem và tải nhật ký này cũng được ghi lại.
dash-audit-action = Thao tác
dash-audit-actor = Mã người thực hiện
dash-audit-since = Từ ngày
dash-audit-until = Đến ngày
dash-audit-none = Không có mục nào khớp với bộ lọc.
dash-audit-caption = Nhật ký, trang { $page }
dash-audit-col-at = Thời điểm
dash-audit-col-actor = Người thực hiện
dash-audit-col-role = Vai trò
dash-audit-col-via = Qua
dash-audit-col-action = Thao tác
dash-audit-col-unit = Đơn vị
dash-audit-col-details = Chi tiết
dash-audit-role-mentor = người hướng dẫn
dash-audit-role-organiser = người tổ chức
dash-audit-role-admin = quản trị viên
dash-audit-cli = dòng lệnh
dash-audit-pages = Các trang của nhật ký
dash-audit-newer = Mới hơn
dash-audit-older = Cũ hơn
dash-audit-page = Trang { $page }
dash-audit-bad-actor = Mã người thực hiện phải là một số (ví dụ 42). Anh/chị vui lòng sửa lại rồi lọc lại.
dash-audit-bad-date = Ngày phải có dạng năm-tháng-ngày (ví dụ 2026-11-23). Anh/chị vui lòng sửa lại rồi lọc lại.
dash-audit-bad-range = Ngày "đến" phải không sớm hơn ngày "từ". Anh/chị vui lòng sửa lại rồi lọc lại.
dash-trend-heading = Tiến độ theo tuần (cấp độ { $level })
dash-trend-title = Tỷ lệ học viên đạt chứng nhận cấp độ { $level } theo từng tuần, từ { $start }
dash-trend-desc = Hiện nay { $percent } học viên đã đạt (ngày { $today }); mục tiêu là { $target }% trước ngày { $deadline }. Số liệu từng tuần có trong bảng bên dưới biểu đồ.
dash-trend-target = Mục tiêu { $percent }%
dash-trend-deadline = Hạn { $deadline }
dash-trend-numbers = Số liệu từng tuần
dash-trend-caption = Số học viên và số đã đạt chứng nhận vào cuối mỗi tuần
dash-trend-col-week = Cuối tuần
## dashboard: campaigns
dash-nav-campaigns = Chiến dịch
dash-campaigns-title = Chiến dịch
dash-campaigns-intro = Các chiến dịch có học viên trong phạm vi của anh/chị. Số liệu chỉ tính học viên trong phạm vi này.
dash-campaigns-caption = Các chiến dịch và mốc thời gian
dash-campaigns-col-name = Chiến dịch
dash-campaigns-col-milestone = Mốc
dash-campaigns-col-status = Trạng thái
dash-campaigns-col-messages = Tin đã gửi
dash-campaigns-col-audience = Đối tượng hiện nay
dash-campaigns-col-delivered = Lượt tin đã tới
dash-campaigns-sent-of = { $sent } / { $total }
dash-campaigns-none = Chưa có chiến dịch nào liên quan đến phạm vi của anh/chị.
dash-campaigns-back = ← Các chiến dịch
dash-campaign-none = Không tìm thấy chiến dịch này trong phạm vi của anh/chị.
dash-campaign-status-active = đang chạy
dash-campaign-status-paused = tạm dừng
dash-campaign-status-cancelled = đã hủy
dash-campaign-target = Mục tiêu của chiến dịch
dash-campaign-target-value = { $percent }% đạt cấp { $level }
dash-campaign-deadline = Hạn mục tiêu của chương trình: { $deadline }.
dash-campaign-timeline = Lịch gửi tin của chiến dịch { $name }
dash-campaign-timeline-desc = Từ { $first } đến { $last }: { $sent } trên { $total } tin đã gửi; mốc của chiến dịch là { $milestone }. Bảng dưới đây có đủ các số liệu.
dash-campaign-today = hôm nay
dash-campaign-legend = ● tin đã gửi · ○ tin chưa gửi · ★ mốc của chiến dịch · đường nét đứt: hôm nay
dash-campaign-caption = Từng tin nhắn: thời gian dự kiến, số người nhận và mức học tích cực { $days } ngày trước và sau tin
dash-campaign-col-when = Dự kiến gửi
dash-campaign-col-message = Tin nhắn
dash-campaign-col-sent = Đã gửi?
dash-campaign-col-reach = Đã tới / đối tượng
dash-campaign-col-before = Học trong { $days } ngày trước
dash-campaign-col-after = Học trong { $days } ngày sau
dash-campaign-col-change = Thay đổi
dash-campaign-file-reached = Đã nhận
dash-campaign-file-audience = Đối tượng
dash-campaign-file-points = Thay đổi (điểm phần trăm)
dash-campaign-file-sent-messages = Số tin đã gửi
dash-campaign-sent = đã gửi
dash-campaign-missed = không gửi
dash-campaign-planned = chưa đến ngày
dash-campaign-incomplete = (chưa đủ ngày)
dash-campaign-points = { $points } điểm %
dash-campaign-window = Số ngày so sánh trước và sau tin
dash-campaign-definition = Cách tính: trong số học viên đã nhận tin, đếm người trả lời ít nhất một câu hỏi trong { $days } ngày trước lúc tin đầu tiên được gửi và trong { $days } ngày sau đó; thay đổi là hiệu hai số (và hiệu hai tỷ lệ, tính bằng điểm phần trăm).

## dashboard: mentors
dash-nav-mentors = Người hướng dẫn
dash-mentors-title = Người hướng dẫn
dash-mentors-intro = Học viên cần hỗ trợ là người chưa bắt đầu, đã 7 ngày không học, hoặc chậm so với tiến độ để kịp hạn mục tiêu (như trong /mentees). Người chưa đồng ý điều khoản hiện hành chỉ được đếm, không hiện tên.
dash-mentors-col-learners = Học viên
dash-mentors-col-lagging = Cần hỗ trợ
dash-mentors-col-mentored = Đã có người hướng dẫn
dash-mentors-col-unmentored = Chưa có người hướng dẫn
dash-mentors-count = Người hướng dẫn
dash-mentors-coverage-caption = Học viên cần hỗ trợ theo đơn vị trực thuộc
dash-mentors-direct = { $unit } (trực tiếp)
dash-mentors-unmentored = Học viên cần hỗ trợ chưa có người hướng dẫn ({ $count })
dash-mentors-unmentored-caption = Những học viên này, người cần hỗ trợ nhất xếp trước, và người hướng dẫn gợi ý
dash-mentors-hidden = { $count } học viên cần hỗ trợ chưa đồng ý điều khoản hiện hành nên không hiện tên và chưa thể giao.
dash-mentors-more = Còn { $count } học viên nữa; hãy giao những người ở trên trước hoặc chọn một đơn vị trực thuộc.
dash-mentors-col-standing = Tình trạng
dash-mentors-col-pair = Giao cho người hướng dẫn
dash-mentors-file-suggested = Người hướng dẫn gợi ý
dash-mentors-unmentored-file = Học viên cần hỗ trợ chưa có người hướng dẫn
dash-mentors-mentor-for = Người hướng dẫn cho { $name }
dash-mentors-option = { $name } ({ $count }/{ $capacity } học viên)
dash-mentors-pair = Giao
dash-mentors-no-suggestion = Đơn vị chưa có người hướng dẫn còn chỗ. Xem /mentor_candidates trong chat để mời thêm.
dash-mentors-list = Người hướng dẫn trong phạm vi ({ $count })
dash-mentors-list-caption = Người hướng dẫn, đơn vị và số học viên đang hướng dẫn
dash-mentors-col-mentees = Số học viên / tối đa
dash-mentors-full = đã đủ
dash-mentors-paired = Đã giao học viên cho người hướng dẫn. Cả hai người đều được báo qua chat.
dash-mentors-choose = Xin chọn một học viên và một người hướng dẫn.
dash-standing-not_started = chưa bắt đầu
dash-standing-inactive = 7 ngày không học
dash-standing-behind = chậm tiến độ
mentor-full = Người hướng dẫn này đã có đủ { $capacity } học viên. Xin chọn người hướng dẫn khác.
mentor-already-paired = Học viên này đã có người hướng dẫn. Không có thay đổi nào.

## dashboard: mentors page paging
dash-mentors-pages = Các trang danh sách học viên cần hỗ trợ
dash-mentors-previous = ← Trang trước
dash-mentors-next = Trang sau →
dash-mentors-page = Học viên { $first }–{ $last }
dash-mentors-bad-page = “{ $page }” không phải số trang hợp lệ (1, 2, 3…). Đang hiển thị trang đầu.
