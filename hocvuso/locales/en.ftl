# Learner-facing texts, English. HTML subset: <b>, <i>. Variables are escaped by hocvuso.i18n.

## Consent (Law on Personal Data Protection No. 91/2025/QH15)
consent-text =
    <b>Welcome to hocvuso – digital skills through chat</b>
    Part of the “Bình dân học vụ số” digital-literacy movement.

    Before we start, please read and agree to how we process your personal data under the Law on Personal Data Protection No. 91/2025/QH15 (which replaced Decree 13/2023/ND-CP on 1 January 2026):

    <b>Purpose:</b> running your course, reminding you to review, recording results and issuing digital-skills certificates.
    <b>Data kept:</b> your Telegram display name and chat id, role, unit code (if any), language, reminder hour, learning progress, your answers and certificates.
    <b>Not collected:</b> phone number, ID numbers, any other conversation. Messages sent through hocvuso between you and your mentor (if any) are kept only to deliver them, then deleted (within 7 days at the latest).
    <b>Who sees what:</b> your unit's organisers see aggregate figures, and the names of people who are certified (to invite them as mentors) or have no mentor (to pair them); your mentor, if you have one, sees your name, progress and last active day, never your answers. Your name is on the leaderboard only if you agree.
    <b>Your rights:</b> see and download all your data (/mydata), correct it (/settings), withdraw consent and have your data erased (/forget) at any time.
    Anonymous aggregates (such as a unit's completion rate) may be kept for reporting.

    Terms version: { $version }
consent-agree = ✅ I agree
consent-decline = I do not agree
consent-declined =
    We respect your decision. No personal data has been kept.
    If you change your mind, just type /start.
consent-first = Please read and press “I agree” before starting.
consent-thanks = Thank you for agreeing. Let's begin!
consent-already = You have already agreed.
consent-updated = 📄 <b>The data processing terms have been updated.</b> Please read them again and agree to continue learning. Your data is kept as it is; /mydata and /forget always work.
consent-renewed = Thank you for agreeing to the new terms.
consent-renew-declined = You have not agreed to the new terms, so learning cannot continue yet. Your data is kept; you can download it (/mydata) or have it erased (/forget), or type /start to read the terms again.

## Onboarding
choose-language = Anh/chị muốn học bằng ngôn ngữ nào? / Which language do you prefer?
language-set = Language: { $language }
choose-role = What is your role? Your learning path will fit your work.
role-deputy = National Assembly deputy
role-civil_servant = Cadre, civil servant or public employee
role-council = People's Council deputy
role-other = Other
role-set = Role: { $role }
ask-unit =
    If your unit gave you a joining code, please type it (for example: K7XQ2M9PLT).
    Otherwise press “Skip”.
unit-skip = Skip
unit-skipped = Unit code skipped. You can add it later.
unit-invalid = A unit code has only letters without diacritics, digits and - _ . (2–32 characters). Please type it again or press “Skip”.
placement-intro =
    <b>Placement quiz</b> ({ $count } questions, about 3 minutes)
    It lets you skip what you already know, so you only learn what you still need.
placement-start = ▶ Take the placement quiz
placement-skip = Skip, start from the beginning
placement-started = Placement quiz started.
placement-skipped = You will start with the first lesson of the level.
placement-result =
    <b>Placement result: { $score }/{ $total } correct</b>
    Areas you already master: { $areas }
    Your level { $level } path has <b>{ $remaining }</b> lessons left.
placement-none-mastered = none yet – we will start from the beginning

## Study
reviews-intro = 🔁 First, let's review <b>{ $count }</b> questions you are about to forget.
reviews-none = No reviews are due right now. 👍
reviews-next = Next review: { $when }.
reviews-done = Review done: { $correct }/{ $total } correct.
lesson =
    📘 <b>Lesson { $number }/{ $total }</b> · { $area }
    <b>{ $title }</b>

    { $body }

    <i>Sources:</i>
    { $sources }
lesson-quiz = ✍️ Answer the questions
lesson-pending = You are on the lesson “{ $title }”. Press the button below to answer its questions.
question-placement =
    🧭 <b>Placement · Question { $number }/{ $total }</b>
    { $question }

    { $options }
question-lesson =
    ✍️ <b>Question { $number }/{ $total }</b>
    { $question }

    { $options }
question-review =
    🔁 <b>Review · Question { $number }/{ $total }</b>
    { $question }

    { $options }
question-exam =
    🎓 <b>Exam · Question { $number }/{ $total }</b>
    { $question }

    { $options }
answer-right =
    { $question }
    Your answer: <b>{ $letter }. { $option }</b>
    ✅ <b>Correct!</b>
    💡 { $explanation }
answer-wrong =
    { $question }
    Your answer: <b>{ $letter }. { $option }</b>
    ❌ <b>Not quite.</b> The right answer: <b>{ $right_letter }. { $right_option }</b>
    💡 { $explanation }
answer-recorded =
    { $question }
    Your answer: <b>{ $letter }. { $option }</b> – recorded.
lesson-done =
    🎉 <b>Lesson complete!</b> { $correct }/{ $total } correct.
    Level { $level } progress: { $bar } ({ $done }/{ $lessons } lessons)
continue-or-stop = Continue or take a break? 5–10 minutes a day is enough.
button-next = ▶ Continue
button-stop = ⏸ Break, see you later
button-next-pressed = Let's continue!
see-you = See you soon! Type /learn any time to continue.
level-up = ⬆️ You move up to level <b>{ $level }</b>.
course-complete = 🏆 You have completed the whole course. Congratulations!

## Exam
exam-intro =
    🎓 <b>You have finished level { $level }!</b>
    The exam has { $count } questions; { $needed } correct answers (80%) earn the certificate. Answers are not shown during the exam.
exam-ready = Ready?
exam-start = ▶ Start the exam
exam-later = Later
exam-started = The exam has started. Good luck!
exam-cooldown = You can retake the exam from { $when }. Meanwhile, use /review to practise.
exam-failed =
    Result: { $correct }/{ $total } correct ({ $needed } needed). Level { $level } is not passed this time.
    Don't give up! You can retake it from { $when }; practise with /review.
exam-passed = 🎉 <b>Congratulations! You passed level { $level }</b> with { $correct }/{ $total } correct.
certificate =
    🎓 <b>DIGITAL SKILLS CERTIFICATE</b>
    Level { $number } – { $level }
    Awarded to: <b>{ $name }</b>
    Certificate id: <code>{ $code }</code>
    Date: { $date }
    Score: { $score }/{ $total }
    Check it at: { $url }
certificate-revoked-note = ⚠️ Certificate <code>{ $code }</code> has been revoked: its check page says only “revoked”.
certificate-pdf-caption = 📄 Level { $number } certificate (PDF), id <code>{ $code }</code>. Keep or print it; scan its QR code to check it.
certificate-pdf-failed = The certificate's PDF could not be made just now; your certificate itself is safe. Type /certificate in a few minutes to get the file.
certificate-none = You have no certificate yet. { $remaining } lessons to go before the level { $level } exam. Type /learn to continue.

## Progress and settings
progress =
    📊 <b>Your progress</b>
    Current level: <b>{ $level }</b>
    { $bar } ({ $done }/{ $lessons } lessons)
    Questions answered: { $answered } ({ $accuracy }% correct)
    Reviews due: { $due }
    Study streak: { $streak } days
    Certificates: { $certificates }
progress-no-certificate = none yet
settings =
    ⚙️ <b>Settings</b>
    Language: { $language }
    Reminder hour: { $hour } ({ $timezone })
    Role: { $role }
    Unit: { $unit }
settings-nudges-on = Nudges from mentors: on
settings-nudges-off = Nudges from mentors: off
settings-leaderboard-on = Your name on the leaderboard: shown once certified
settings-leaderboard-off = Your name on the leaderboard: not shown
settings-hour = ⏰ Change reminder hour
settings-role = 👤 Change role
settings-choose-hour = Choose when to be reminded (never between 21:00 and 07:00):
settings-hour-set = Reminder hour set to { $hour }.
mydata-caption = Here is everything hocvuso keeps about you (JSON file).
forget-confirm =
    <b>Erase your personal data?</b>
    Your name, chat id, review schedule and contact details will be erased for good and you will get no more messages. Only anonymous aggregates stay. This cannot be undone.
forget-yes = Erase my data
forget-no = No, keep it
forget-cancelled = Cancelled. Your data is unchanged.
forget-done = Your personal data has been erased. Thank you for learning with hocvuso. Type /start to begin again.

## General
help =
    <b>hocvuso commands</b>
    /learn – continue (reviews, new lesson, questions)
    /review – only the reviews that are due
    /progress – your progress
    /certificate – your certificates
    /settings – language, reminder hour, role
    /mydata – download all your data
    /forget – erase your personal data
    /leaderboard – how the units compare
    /my_mentor – your mentor (and leaving them)
    /help – this help
welcome-back = Welcome back { $name }!
hint-learn = Type /learn to continue, or /help for the commands.
unknown-command = There is no such command. Type /help for the commands.
question-retired = This question was replaced in a new version of the course, so it is skipped; your results are not affected.
exam-retired = This exam had a question that was replaced in a new version of the course, so this attempt is void and does not count as a fail. You can take the exam again now.
use-buttons = Please choose with the buttons below (or type the answer's letter).
press-stale = This button belongs to an old message and no longer works. Nothing was changed.
press-invalid = Invalid request. Nothing was changed.
error-generic = Sorry, something went wrong. The answers recorded so far are safe; please try what you just did again in a moment.
slow-down = You are going a little fast; please wait a moment and try again.
unsupported-message = hocvuso understands text messages and buttons only. Type /help for the commands.
private-only = Please message the bot privately to learn: it does not answer in groups.

## Bot command descriptions (Telegram menu)
cmd-start = Start
cmd-learn = Continue learning
cmd-review = Review what is due
cmd-progress = My progress
cmd-settings = Settings
cmd-certificate = My certificates
cmd-mydata = Download my data
cmd-forget = Erase my personal data
cmd-leaderboard = How the units compare
cmd-help = Help

## Reminders and "tạm nghỉ" (scheduler)
settings-pause = 😴 Pause reminders
settings-paused = Reminders paused until the end of { $until }
pause-choose = For how long would you like to pause reminders?
pause-days = { $days ->
        [one] { $days } day
       *[other] { $days } days
    }
pause-resume = 🔔 Resume reminders today
pause-set = Reminders paused for { $days ->
        [one] { $days } day
       *[other] { $days } days
    }, until the end of { $until }. You can still type /learn at any time.
pause-resumed = Reminders are on again. See you at your chosen hour.
reminder-due =
    📚 You have <b>{ $due } review { $due ->
        [one] question
       *[other] questions
    } due</b>{ $streak ->
        [0] {""}
       *[other] {" "}· { $streak }-day streak
    }.
    It only takes a few minutes: review now to remember longer!
reminder-nudge =
    { $streak ->
        [0] 👋 It is your learning time. A short 5-minute lesson today?
       *[other] 🔥 { $streak } days in a row! Five more minutes today keep your streak going.
    }
reminder-learn = ▶️ Learn now
reminder-pause = 😴 Pause
campaign-learn = ▶️ Learn now

## Units, organisers and mentors
unit-unknown = No unit has this joining code. Please check the code your unit gave you (for example: K7XQ2M9PLT) or press “Skip”.
unit-unknown-link = This unit link is no longer valid (its code may have been changed). Please ask your unit for a new link.
unit-already = You already belong to <b>{ $unit }</b>.
unit-moved = You have moved to <b>{ $unit }</b> ({ $code }). Your progress and certificates are kept.
unit-joined = You have joined the unit: <b>{ $unit }</b> ({ $code }).
unit-not-found = There is no unit with the code { $code }.
units-file-type = File { $name }: only .csv, .yaml or .yml files are accepted.
units-file-encoding = File { $name } cannot be read: please save it as UTF-8 (Excel: “CSV UTF-8”).
units-file-yaml = File { $name } has a YAML syntax error at line { $line }.
units-file-columns = A units file needs the columns (or fields) code, name and, optionally, parent.
units-bad-code = Row { $row }: the unit code “{ $code }” is not valid (1–32 characters: unaccented letters, digits, - _ .).
units-bad-name = Row { $row }: unit { $code } has no name (a name of only spaces or invisible characters is not taken) or a name longer than 300 characters. No unit has been imported; please correct the file and import it again.
units-duplicate = Row { $row }: the unit code { $code } appears twice.
units-unknown-parent = Row { $row }: unit { $code } belongs to the parent unit { $parent }, which was not found.
units-cycle = Unit { $code } is part of a parent–child loop (a unit cannot belong to itself or to a unit below it).
forbidden-report = Sorry, only the unit's organisers can see reports.
forbidden-broadcast = Sorry, only the unit's organisers can send announcements.
forbidden-invite-mentor = Sorry, only the unit's organisers can invite mentors.
forbidden-link-mentee = Sorry, only the unit's organisers can pair mentors with learners.
forbidden-grant = Sorry, only administrators can grant or revoke roles.
forbidden-audit = Sorry, only administrators can read the audit log.
forbidden-revoke-certificate = Sorry, only administrators can revoke certificates.
certificate-not-found = No certificate has the code { $code }. Please check it (it looks like HVS1-ABCD-EFGH).
certificate-reason-needed = A reason for the revocation is needed (at most { $max } characters).
forbidden-mentees = This is for mentors ("hạt nhân lan tỏa").
forbidden-nudge = Nudges are for mentors ("hạt nhân lan tỏa").
forbidden-unit = You have no rights over the unit { $code } (or it does not exist).
forbidden-learner = This person is outside the units you are responsible for.
forbidden-mentee = This person is not one of your mentees.
forbidden-reply = You can no longer reply through this message.
learner-not-found = This learner was not found.
learner-chat-ambiguous = This chat is a learner of more than one bot: give the learner's number (--learner) instead.
organiser-needs-unit = The organiser role must be tied to a unit.
mentor-needs-certificate = A mentor needs the level { $level } digital-skills certificate first.
invite-invalid = This invitation is not valid or has been used already.
invite-already-held = You already hold this role; the invitation stays unused for someone else.
invite-expired = This invitation has expired. Please ask for a new one.
invite-bad-hours = An invitation must be valid for 1 hour to 30 days.
mentor-self = You cannot mentor yourself.
mentor-not-mentor = This person is not a mentor yet.
mentor-code-invalid = This mentor's link is no longer valid.
mentee-linked = You are now connected with your mentor <b>{ $mentor }</b>, who will support you and may remind you to study.
mentee-already-linked = You are already connected with your mentor <b>{ $mentor }</b>.
mentor-code-expired = This mentor's link has expired. Please ask your mentor for a new one.
mentor-link-confirm =
    🤝 <b>{ $mentor }</b> invites you to take them as your mentor.
    Your mentor will see your name, your progress and the day you were last active (never your answers), and may remind you to study. Do you agree?
mentor-link-yes = ✅ Agree
mentor-link-no = Decline
mentor-link-declined = You declined. Nothing was linked; you keep learning as before.
mentee-left = { $name } has stopped being mentored by you. Thank you for supporting your colleague!
mentor-not-linked = You are no longer connected with this mentor.
my-mentor-none = You have no mentor. When a colleague sends you their mentor link, you can take them as your mentor.
my-mentor-title = 🤝 <b>Your mentors</b>:
my-mentor-line = • { $name }
my-mentor-leave-button = Leave mentor { $name }
my-mentor-left = You have stopped being mentored by <b>{ $name }</b>; they have been told. You keep learning as before.
role-granted-mentor = 🌱 You are now a <b>mentor ("hạt nhân lan tỏa")</b> of { $unit }. Type /mentees to see your learners, /mentor_link for your invitation link.
role-granted-organiser = 🏛 You are now an <b>organiser</b> of { $unit }. Type /report for the report, /broadcast to send an announcement, /invite_mentor to invite mentors.
role-granted-admin = 🔑 You are now an <b>administrator</b> of the system.

## Reports
report-title =
    📊 <b>Report: { $unit }</b> – { $date }
    Target: { $percent }% certified at level { $level } by { $deadline }
report-all-units = All units
report-total = Total
report-direct = { $name } – directly in the unit
report-row =
    <b>{ $name }</b> ({ $code })
    Joined: { $joined } · active in 7 days: { $active }
    Certified: { $certified } · level { $level } rate: { $rate }
    { $percent } of the target · forecast: { $forecast }
report-unassigned = ℹ️ { $count } people belong to no unit (they skipped the unit step) and are not in the table. Send them their unit's link so that they count.
report-download = 📥 Download the Excel report (every unit)
report-more = … and { $count } more units: press “Download the Excel report” to see them all.
report-col-code = Unit code
report-col-name = Unit name
report-col-joined = Learners joined
report-col-active-7d = Active in the last 7 days
report-col-certified-level-1 = Certified level 1
report-col-certified-level-2 = Certified level 2
report-col-certified-level-3 = Certified level 3
report-col-certified-level-4 = Certified level 4
report-col-certified-percent = Certified (%)
report-col-percent-of-target = Of the target (%)
report-col-forecast = Forecast
forecast-reached = target reached
forecast-on-track = on track, expected { $when }
forecast-late = too late (expected { $when })
forecast-no-activity = too late (nobody certified in the last { $days } days)
forecast-nobody = nobody has joined yet

## Broadcasts by organisers
broadcast-compose = 📣 Please type the announcement for the learners of <b>{ $unit }</b>. You will see a preview of your next message before it is sent.
broadcast-too-long = The announcement can have 1 to { $limit } characters as sent (each &amp;, &lt; or &gt; counts as 4–5); yours has { $length }. Nothing has been sent; please type it again.
broadcast-preview =
    <b>Preview</b> of the announcement to { $count } learners of { $unit }:

    { $text }

    Type it again to change it.
broadcast-send = ✅ Send
broadcast-cancel = ✖️ Cancel
broadcast-cancelled = Announcement cancelled. Nothing was sent.
broadcast-queued = 📣 The announcement is being sent to { $count } learners. You will be told at 25%, 50%, 75% and when it is done.
broadcast-abandoned = The unsent announcement draft was discarded; nothing was sent. Type /broadcast to start again.
nudge-abandoned = The nudge you were writing was discarded; nothing was sent.
reply-abandoned = The reply to your mentor you were writing was discarded; nothing was sent.
broadcast-step = 📣 Your announcement is { $percent }% through: { $sent }/{ $total } people.
broadcast-done = ✅ Your announcement is done: { $sent }/{ $total } people received it; { $failed } could not be reached (blocked the bot or a sending error).
broadcast-refresh = 🔄 Refresh progress
broadcast-progress = 📣 Sent { $sent }/{ $total } · waiting { $waiting } · not delivered { $failed } (at { $time })

## Mentors and nudges
mentees-none = You have no mentees yet. Send this link to colleagues so they can choose you as their mentor: { $link }
mentees-title = 👥 <b>Your mentees ({ $count })</b> – those who need help first:
mentee-line = • <b>{ $name }</b>: { $standing } · level { $level }: { $done }/{ $lessons } lessons · last active: { $last }
mentees-invite = Invite more mentees: { $link }
standing-not-started = not started
standing-inactive = inactive for 7 days or more
standing-behind = behind the pace needed
standing-on-track = on track
standing-certified = certified ✅
nudge-button = 🔔 Nudge { $name }
nudge-choose = How would you like to nudge { $name }?
nudge-template-button = 📨 Send the standard reminder
nudge-custom-button = ✍️ Write my own
nudge-write = Please type your message to { $name } (at most { $limit } characters).
nudge-sent = Your reminder was sent to { $name }. Thank you for your support!
nudge-sent-later = Your nudge to { $name } will be sent at { $time } (their time), after their night-time quiet hours. Thank you for your support!
nudge-unreachable = Your nudge cannot reach { $name } now (they may have blocked or stopped using hocvuso). It does not count toward the limits.
nudge-no-consent = Your nudge cannot go to this learner now. It does not count toward the limits.
reply-limit = You have answered { $limit } times through this nudge. Please contact your mentor directly if you need to talk more.
nudge-template =
    👋 Hello { $name }! Your mentor <b>{ $mentor }</b> invites you to spend 5 minutes today on your digital skills.
    If you need help, you can reply right here.
nudge-custom =
    💬 A message from your mentor <b>{ $mentor }</b>:
    { $text }
nudge-reply-button = ✉️ Reply to my mentor
nudge-mute-button = 🔕 No more reminders
nudge-unmute-button = 🔔 Allow reminders again
nudges-muted = Reminders from your mentor are off. You can turn them on again at any time.
nudges-unmuted = Reminders from your mentor are on again.
nudge-muted = { $name } has turned reminders off. Please respect this choice.
nudge-too-soon = { $name } was reminded in the last { $hours } hours. Please wait a little so as not to disturb them.
nudge-daily-limit = You have sent { $limit } reminders in the last 24 hours, the maximum. Please continue tomorrow.
nudge-bad-length = The message needs 1 to { $limit } characters. Please type it again.
reply-write = Please type your reply to your mentor (at most { $limit } characters).
reply-sent = Your reply was passed on to { $name }.
reply-unreachable = Your mentor cannot be reached right now. Please try again later.
nudge-reply =
    ✉️ <b>{ $name }</b> replied to your reminder:
    { $text }
mentee-certified = 🎓 Your mentee <b>{ $name }</b> has just earned the level { $level } digital-skills certificate. Thank you for your support!
mentor-link = Your link for colleagues to choose you as their mentor (valid until { $until }): { $link }
mentor-link-renewed = Here is your new link (valid until { $until }); the old one no longer works: { $link }
mentor-link-new-button = 🔄 Make a new link
mentor-invite =
    🌱 Invitation to become a <b>mentor ("hạt nhân lan tỏa")</b> of { $unit }, single use, valid until { $until }:
    { $link }
    The person needs the level 1 certificate.

## Leaderboard
leaderboard-title = 🏆 <b>Leaderboard</b>: share certified at level { $level } by unit
leaderboard-people = Certified in your unit (who agreed to be named): { $names }
leaderboard-show = 🙋 Show my name once certified
leaderboard-hide = 🙈 Do not show my name
leaderboard-shown = Your name will be shown once you are certified.
leaderboard-hidden = Your name will not be shown.
leaderboard-no-unit = You have not joined a unit yet. Please use the link or joining code your unit gave you.

## Suggested mentors
report-candidates = 💡 { $count } people hold a level 1 certificate but are not mentors yet. Type /mentor_candidates to invite them to become peer mentors.
mentor-candidates-none = Nobody in your unit holds a level 1 certificate without being a mentor already.
mentor-candidates-title = 🌱 <b>Suggested mentors ({ $count })</b>: level 1 certificate, not a mentor yet. The most recently certified come first.
mentor-candidate-line = • <b>{ $name }</b> – { $unit } · certified on { $date }
mentor-invite-button = 🌱 Invite { $name }
mentor-invitation-sent = Invitation sent to { $name }.
mentor-invitation-open = { $name } has been invited already; the invitation is valid until { $until }. Nothing more was sent.
mentor-invites-capped = You have { $limit } invitations not yet answered. Please wait for colleagues to answer or for invitations to expire before inviting more.
mentor-invitation =
    🌱 Organiser <b>{ $organiser }</b> invites you to become a <b>peer mentor</b> of { $unit }: help colleagues learn and encourage those falling behind, so that "no one is left behind".
    A mentor sees only the name, progress and last active day of their own mentees, never their answers. The invitation is valid until { $until }; if you are not ready, simply ignore this message.
mentor-invitation-accept = 🌱 I agree to be a mentor
mentor-invitation-accepted = 🌱 <b>{ $name }</b> has agreed to be a mentor of { $unit }. Thank you!

## Help for mentors and organisers
help-mentor =
    <b>Peer mentors</b>
    /mentees – your mentees, those who need help first, nudge buttons
    /mentor_link – a link for colleagues to take you as their mentor
help-organiser =
    <b>Organisers</b>
    /report [unit code] – figures per unit against the target, with a forecast
    /dashboard – a sign-in link to the web dashboard (single use, 10 minutes)
    /broadcast [unit code] – compose, preview and send an announcement
    /mentor_candidates – certified colleagues to invite as mentors
    /invite_mentor [unit code] – a one-time link inviting someone to be a mentor
    /assign_mentor [unit code] – give a colleague with no mentor to a mentor

## Organisers pair mentors and mentees
pairing-no-mentors = Your unit has no mentors yet. Type /mentor_candidates to invite certified colleagues.
pairing-choose-mentor = 🤝 Choose a mentor to give a mentee to (those with the fewest mentees first):
pairing-mentor-button = { $name } ({ $count } mentees)
pairing-choose-mentee = 🤝 Choose a colleague with no mentor to give to <b>{ $mentor }</b> (not started or longest inactive first):
pairing-mentee-line = • <b>{ $name }</b> – { $unit } · last active: { $last }
pairing-mentee-button = ➕ { $name }
pairing-no-mentees = Every colleague not yet certified in this scope already has a mentor. Thank you, { $mentor } and you!
paired = { $name } now has { $mentor } as mentor.
paired-mentee = 🤝 Your unit has connected you with mentor <b>{ $mentor }</b>, who will learn alongside you and may remind you to study. Your mentor sees only your progress and last active day, never your answers; you can turn nudges off in /settings.
paired-mentor = 🤝 An organiser has given you <b>{ $name }</b> as a mentee. Type /mentees to see them.

## Certified export for the national platform (hocvuso export certified)
certified-col-no = No.
certified-col-name = Full name
certified-col-unit-code = Unit code
certified-col-unit-name = Unit name
certified-col-role = Group
certified-col-level = Level
certified-col-certificate = Certificate code
certified-col-issued-iso = Issue date (ISO)
certified-col-issued-vn = Issue date
certified-col-verify-url = Verification URL
export-format = Unknown format. Please choose one of: { $formats }.
export-level = The level must be 1, 2, 3 or 4.

## Item analysis of the questions (hocvuso report questions)
qstats-title-exam = Question analysis (exams)
qstats-title-lesson = Question analysis (lessons)
qstats-col-question = Question
qstats-col-level = Level
qstats-col-area = Area
qstats-col-attempts = Answers
qstats-col-correct = Correct
qstats-col-facility = Facility index (%)
qstats-col-discrimination = Discrimination index (%)
qstats-col-efficiency = Discriminative efficiency (%)
qstats-col-flags = Flags
qstats-col-key = Key
qstats-col-option = Chose { $letter } (%)
qstats-flag-low-efficiency = discriminative efficiency under 15%
qstats-flag-negative-discrimination = negative discrimination

## Retention: predicted against measured recall (hocvuso report retention)
retention-title = Retention: FSRS prediction against reviews
retention-col-level = Level
retention-col-area = Area
retention-col-bin = Predicted recall
retention-col-reviews = Reviews
retention-col-predicted = Predicted recall (%)
retention-col-measured = Measured recall (%)
retention-col-gap = Gap (points)
retention-all = All
retention-all-bins = All bins
## The organisers' web dashboard (/dashboard; hocvuso.web.dashboard)
dashboard-link =
    🔐 Your sign-in link to the dashboard (single use, valid { $minutes } minutes, for you only — please do not forward it):
    { $url }
dashboard-link-invalid = This sign-in link can no longer be used (already used, expired or wrong). Type /dashboard in the chat with the bot for a new link.
dashboard-link-other = This browser is signed in as someone else. Please sign out first, then type /dashboard for a new link.
dashboard-signed-out = The session has expired or was signed out. Type /dashboard in the chat with the bot for a new sign-in link.
dashboard-no-unit = No such unit.
dashboard-csrf = Invalid request (the form's protection code is missing or wrong). Please reload the page and try again.
dash-title = Dashboard
dash-skip = Skip to the main content
dash-lang-switch = Tiếng Việt
dash-confirm-title = Sign in to the dashboard
dash-confirm-text = Press the button below to sign in. The link works only once.
dash-confirm-button = Sign in
dash-logout = Sign out
dash-logged-out = You have signed out. Type /dashboard in the chat with the bot to sign in again.
dash-overview = Overview: { $unit }
dash-all-units = all units
dash-target = Target: { $percent }% certified at level { $level } by { $deadline }
dash-as-of = Figures of { $date } (the same as /report)
dash-card-joined = Learners
dash-card-certified = Certified (level { $level })
dash-card-active = Active in 7 days
dash-card-forecast = Forecast
dash-in-time = in time
dash-not-in-time = not in time
dash-filter-label = Filter by unit name or code
dash-filter-late = Only units not in time
dash-filter-apply = Filter
dash-sort-label = Sort by
dash-sort-apply = Sort
dash-sort-code = Unit code
dash-sort-name = Name
dash-sort-percent = % certified
dash-sort-active = Active in 7 days
dash-sort-forecast = Forecast
dash-col-unit = Unit
dash-col-outlook = In time?
dash-table-caption = Sub-units
dash-no-rows = No unit matches the filter.
dash-download = Download:
dash-people = Learners directly in the unit ({ $count })
dash-people-hidden = { $count } learners have not agreed to the current terms and are not named.
dash-people-more = { $count } more learners are in the downloaded file.
dash-people-caption = Name, level in progress, level certified and last active day (never any answer)
dash-col-person = Name
dash-col-level = Level in progress
dash-col-certified = Highest level certified
dash-col-last-active = Last active day
dash-col-at-target = At target?
dash-yes = yes
dash-no = not yet
dash-never = not yet started
dash-back = ← Overview
dash-trend = Trend
dash-error-title = Cannot open the page

## dashboard: broadcasts
dash-nav-broadcasts = Broadcasts
dash-bc-list-title = Broadcasts to learners
dash-bc-new-link = Write a new broadcast
dash-bc-list-caption = Recent broadcasts in your scope
dash-bc-none = No broadcasts yet.
dash-bc-col-when = Time
dash-bc-col-unit = Sent to
dash-bc-col-text = Text
dash-bc-col-total = Recipients
dash-bc-col-progress = Progress
dash-bc-new-title = Write a broadcast
dash-bc-unit-label = Send to unit
dash-bc-unit-hint = The broadcast also goes to the units below the chosen one.
dash-bc-text-label = Message
dash-bc-text-hint = At most { $limit } characters as sent (each &amp;, &lt; or &gt; counts as 4–5 characters). Learners receive exactly what you type, without formatting.
dash-bc-levels-legend = Only learners at level (none chosen: every level)
dash-bc-level = Level { $level }
dash-bc-roles-legend = Only learners with role (none chosen: every role)
dash-bc-learn-button = Add a “Learn now” button that starts a session
dash-bc-preview-button = Preview
dash-bc-preview-title = Broadcast preview
dash-bc-reach = The broadcast will go to { $count } learners of { $unit }.
dash-bc-reach-note = Only learners who are active, connected to the bot and agreed to the current terms are counted.
dash-bc-filters = Only to: { $filters }
dash-bc-as-seen = Learners will receive:
dash-bc-send = Send broadcast
dash-bc-edit = Edit
dash-bc-empty = You have not typed a message yet. Nothing has been sent.
dash-bc-too-long = A broadcast must have 1 to { $limit } characters as sent (each &amp;, &lt; or &gt; counts as 4–5 characters); yours has { $length }. Nothing has been sent; please shorten it and preview again.
dash-bc-bad-option = That level or role choice is not valid. Please choose from the list.
dash-bc-stale = This preview can no longer be used. Nothing has been sent; please press “Preview” again.
dash-bc-unknown = No such broadcast.
dash-bc-error = The broadcast could not be previewed:
dash-bc-progress-title = Broadcast progress
dash-bc-created = Created { $time }
dash-bc-total = Recipients
dash-bc-sent = Sent
dash-bc-failed = Not delivered
dash-bc-waiting = Waiting
dash-bc-percent = { $percent }% processed
dash-bc-done = ✓ Sending finished.
dash-bc-running = ⏳ Sending. The figures update every 2 seconds.
dash-bc-refresh = Refresh progress
dash-bc-chat-note = You are also told in the chat with the bot at 25%, 50%, 75% and when it is finished.
dash-bc-back = ← Broadcasts
## dashboard: questions, retention, audit log, trend chart
dash-nav-questions = Questions
dash-nav-retention = Retention
dash-nav-audit = Audit log
dash-questions-title = Exam question analysis
dash-questions-intro = For each question of the finished exams of the learners in your scope: facility index, discrimination index and discriminative efficiency (as Moodle computes them). A question is flagged when its discriminative efficiency is below { $low }% or its discrimination is negative.
dash-computed-at = Figures computed at { $time } (Việt Nam time; kept for a few minutes).
dash-unit-code = Unit code
dash-level-label = Level
dash-level-all = All levels
dash-qsort-pack = Order of the content pack
dash-qsort-question = Question id
dash-qsort-attempts = Attempts
dash-qsort-facility = Facility index
dash-qsort-discrimination = Discrimination index
dash-qsort-efficiency = Discriminative efficiency
dash-qsort-flags = Flags
dash-questions-none = No finished exam in this scope yet.
dash-questions-caption = Questions ({ $count })
dash-col-level-area = Level · area
dash-option-shares = Share of answers per option (count):
dash-correct-option = correct answer
dash-not-in-pack = no longer in the content pack
dash-flag-none = none
dash-retention-intro = The recall FSRS predicted at review time, against the share of those reviews answered correctly, per level, area and bin of predicted recall.
dash-retention-none = No review in this scope yet.
dash-calibration-title = Calibration chart: predicted against measured
dash-calibration-desc = The horizontal axis is the predicted recall, the vertical axis the measured recall; the diagonal is a perfect prediction. In all { $reviews } reviews: predicted { $predicted }%, measured { $measured }%. Per bin:
dash-calibration-caption = Each dot is a bin of predicted recall; a dot below the diagonal means learners remembered less than predicted. The table below has the figures.
dash-retention-caption = Predicted and measured recall per level, area and bin
dash-audit = Audit log
dash-audit-intro = Every organiser's and admin's action, newest first. Viewing and downloading this log is recorded too.
dash-audit-action = Action
dash-audit-actor = Actor id
dash-audit-since = From
dash-audit-until = To
dash-audit-none = No entry matches the filter.
dash-audit-caption = Audit log, page { $page }
dash-audit-col-at = When
dash-audit-col-actor = Actor
dash-audit-col-role = Roles
dash-audit-col-via = Via
dash-audit-col-action = Action
dash-audit-col-unit = Unit
dash-audit-col-details = Details
dash-audit-role-mentor = mentor
dash-audit-role-organiser = organiser
dash-audit-role-admin = admin
dash-audit-cli = command line
dash-audit-pages = Pages of the audit log
dash-audit-newer = Newer
dash-audit-older = Older
dash-audit-page = Page { $page }
dash-audit-bad-actor = The actor id must be a number (for example 42). Please correct it and filter again.
dash-audit-bad-date = A date must be year-month-day (for example 2026-11-23). Please correct it and filter again.
dash-audit-bad-range = The "to" date must not be before the "from" date. Please correct it and filter again.
dash-trend-heading = Weekly progress (level { $level })
dash-trend-title = Share of learners certified at level { $level } week by week, since { $start }
dash-trend-desc = Now { $percent } of learners are certified ({ $today }); the target is { $target }% by { $deadline }. The figures of each week are in the table below the chart.
dash-trend-target = Target { $percent }%
dash-trend-deadline = Deadline { $deadline }
dash-trend-numbers = Weekly figures
dash-trend-caption = Learners and those certified at the end of each week
dash-trend-col-week = Week ending
## dashboard: campaigns
dash-nav-campaigns = Campaigns
dash-campaigns-title = Campaigns
dash-campaigns-intro = The campaigns that reach learners in your scope. Figures count only the learners of this scope.
dash-campaigns-caption = Campaigns and their milestones
dash-campaigns-col-name = Campaign
dash-campaigns-col-milestone = Milestone
dash-campaigns-col-status = Status
dash-campaigns-col-messages = Messages sent
dash-campaigns-col-audience = Audience now
dash-campaigns-col-delivered = Copies delivered
dash-campaigns-sent-of = { $sent } / { $total }
dash-campaigns-none = No campaign concerns your scope yet.
dash-campaigns-back = ← Campaigns
dash-campaign-none = This campaign was not found in your scope.
dash-campaign-status-active = running
dash-campaign-status-paused = paused
dash-campaign-status-cancelled = cancelled
dash-campaign-target = Campaign target
dash-campaign-target-value = { $percent }% at level { $level }
dash-campaign-deadline = The programme's target deadline: { $deadline }.
dash-campaign-timeline = Schedule of the campaign { $name }
dash-campaign-timeline-desc = From { $first } to { $last }: { $sent } of { $total } messages sent; the campaign's milestone is { $milestone }. The table below has every figure.
dash-campaign-today = today
dash-campaign-legend = ● message sent · ○ message not sent · ★ the campaign's milestone · dashed line: today
dash-campaign-caption = Each message: planned time, reach, and learners active { $days } days before and after it
dash-campaign-col-when = Planned
dash-campaign-col-message = Message
dash-campaign-col-sent = Sent?
dash-campaign-col-reach = Delivered / audience
dash-campaign-col-before = Active { $days } days before
dash-campaign-col-after = Active { $days } days after
dash-campaign-col-change = Change
dash-campaign-file-reached = Reached
dash-campaign-file-audience = Audience
dash-campaign-file-points = Change (percentage points)
dash-campaign-file-sent-messages = Messages sent
dash-campaign-sent = sent
dash-campaign-missed = not sent
dash-campaign-planned = not yet due
dash-campaign-incomplete = (window not over)
dash-campaign-points = { $points } pp
dash-campaign-window = Days compared before and after each message
dash-campaign-definition = How it is counted: of the learners the message reached, those who answered at least one question in the { $days } days before the first copy was sent, and in the { $days } days after; the change is the difference of the two counts (and of the two shares, in percentage points).

## dashboard: mentors
dash-nav-mentors = Mentors
dash-mentors-title = Mentors
dash-mentors-intro = Learners needing help have not started, have not learned for 7 days, or are behind the pace to reach the target by its deadline (as in /mentees). Those who have not agreed to the current terms are counted, not named.
dash-mentors-col-learners = Learners
dash-mentors-col-lagging = Needing help
dash-mentors-col-mentored = With a mentor
dash-mentors-col-unmentored = Without a mentor
dash-mentors-count = Mentors
dash-mentors-coverage-caption = Learners needing help, per sub-unit
dash-mentors-direct = { $unit } (directly)
dash-mentors-unmentored = Learners needing help without a mentor ({ $count })
dash-mentors-unmentored-caption = These learners, those who need help most first, with suggested mentors
dash-mentors-hidden = { $count } learners needing help have not agreed to the current terms: they are not named and cannot be paired yet.
dash-mentors-more = { $count } more; pair those above first or choose a sub-unit.
dash-mentors-col-standing = Standing
dash-mentors-col-pair = Pair with a mentor
dash-mentors-file-suggested = Suggested mentors
dash-mentors-unmentored-file = Learners needing help without a mentor
dash-mentors-mentor-for = Mentor for { $name }
dash-mentors-option = { $name } ({ $count }/{ $capacity } mentees)
dash-mentors-pair = Pair
dash-mentors-no-suggestion = No mentor of the unit has room. Use /mentor_candidates in the chat to invite more.
dash-mentors-list = Mentors in the scope ({ $count })
dash-mentors-list-caption = Mentors, their unit and how many mentees they have
dash-mentors-col-mentees = Mentees / at most
dash-mentors-full = full
dash-mentors-paired = The learner now has a mentor. Both were told in the chat.
dash-mentors-choose = Please choose a learner and a mentor.
dash-standing-not_started = not started
dash-standing-inactive = inactive for 7 days
dash-standing-behind = behind the pace
mentor-full = This mentor already has { $capacity } mentees. Please choose another mentor.
mentor-already-paired = This learner has a mentor already. Nothing was changed.

## dashboard: mentors page paging
dash-mentors-pages = Pages of the learners who need help
dash-mentors-previous = ← Previous page
dash-mentors-next = Next page →
dash-mentors-page = Learners { $first }–{ $last }
dash-mentors-bad-page = “{ $page }” is not a page number (1, 2, 3…). Showing the first page.
