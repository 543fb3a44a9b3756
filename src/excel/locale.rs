//! Header and label strings of the exported and imported tables in zh-CN (default), en and zh-TW.
//!
//! A small table kept in this crate on purpose: the GUI's rust-i18n files serve the GUI process, while
//! exports must be reproducible from a library call without global i18n state. Must not hold any logic
//! beyond looking strings up.

/// The language of a workbook's headers and labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum Locale {
    #[default]
    ZhCn,
    En,
    ZhTw,
}

impl Locale {
    /// `zh-CN`, `zh_CN`, `zh`, `en`, `en-US`, `zh-TW`, `zh-Hant`… (unknown → None).
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim().to_ascii_lowercase().replace('_', "-");
        if s == "zh-tw" || s == "zh-hk" || s.starts_with("zh-hant") {
            Some(Locale::ZhTw)
        } else if s.starts_with("zh") {
            Some(Locale::ZhCn)
        } else if s.starts_with("en") {
            Some(Locale::En)
        } else {
            None
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Locale::ZhCn => "zh-CN",
            Locale::En => "en",
            Locale::ZhTw => "zh-TW",
        }
    }
}

/// (key, zh-CN, en, zh-TW)
const TABLE: &[(&str, &str, &str, &str)] = &[
    // Sheet names (≤ 31 chars, no []:*?/\).
    (
        "sheet.month",
        "月度考勤表",
        "Monthly attendance",
        "月度考勤表",
    ),
    (
        "sheet.summary",
        "考勤汇总表",
        "Monthly summary",
        "考勤匯總表",
    ),
    ("sheet.exceptions", "异常报表", "Exceptions", "異常報表"),
    ("sheet.publication", "公示", "Publication", "公示"),
    ("sheet.daily", "日报", "Daily detail", "日報"),
    ("sheet.overtime", "加班明细", "Overtime detail", "加班明細"),
    ("sheet.errors", "错误行", "Rejected rows", "錯誤行"),
    ("sheet.notes", "填写说明", "Notes", "填寫說明"),
    ("sheet.lists", "选项", "Lists", "選項"),
    // Titles.
    ("title.month", "考勤表", "Attendance sheet", "考勤表"),
    (
        "title.summary",
        "考勤汇总表",
        "Attendance summary",
        "考勤匯總表",
    ),
    (
        "title.exceptions",
        "考勤异常报表",
        "Attendance exceptions",
        "考勤異常報表",
    ),
    (
        "title.publication",
        "考勤公示",
        "Attendance publication list",
        "考勤公示",
    ),
    (
        "title.daily",
        "打卡明细（日报）",
        "Punch detail (daily)",
        "打卡明細（日報）",
    ),
    ("title.overtime", "加班明细", "Overtime detail", "加班明細"),
    ("all_departments", "全部部门", "All departments", "全部部門"),
    ("period", "统计期间", "Period", "統計期間"),
    ("month_fmt", "{y}年{m}月", "{y}-{m:02}", "{y}年{m}月"),
    ("legend", "图例", "Legend", "圖例"),
    ("prepared_by", "制表人：", "Prepared by:", "製表人："),
    ("checked_by", "审核人：", "Checked by:", "審核人："),
    ("date_line", "日期：", "Date:", "日期："),
    ("signature", "员工签字", "Signature", "員工簽字"),
    ("total", "合计", "Total", "合計"),
    ("subtotal", "小计", "Subtotal", "小計"),
    ("employees_count", "人数", "Employees", "人數"),
    (
        "page_footer",
        "&C第 &P 页，共 &N 页",
        "&CPage &P of &N",
        "&C第 &P 頁，共 &N 頁",
    ),
    // Column heads.
    ("col.seq", "序号", "No.", "序號"),
    ("col.row", "原行号", "Row", "原行號"),
    ("col.employee_no", "工号", "Employee no.", "工號"),
    ("col.name", "姓名", "Name", "姓名"),
    ("col.department", "部门", "Department", "部門"),
    ("col.position", "职位", "Position", "職位"),
    ("col.hired", "入职日期", "Hired", "入職日期"),
    ("col.left", "离职日期", "Left", "離職日期"),
    ("col.card", "卡号", "Card", "卡號"),
    ("col.date", "日期", "Date", "日期"),
    ("col.time", "时间", "Time", "時間"),
    ("col.weekday", "星期", "Weekday", "星期"),
    ("col.day_type", "日期类型", "Day type", "日期類型"),
    ("col.kind", "类型", "Kind", "類型"),
    ("col.leave_type", "假别", "Leave type", "假別"),
    ("col.start", "开始", "Start", "開始"),
    ("col.end", "结束", "End", "結束"),
    ("col.reason", "原因", "Reason", "原因"),
    ("col.place", "地点", "Place", "地點"),
    ("col.punch", "签到/签退", "Punch", "簽到/簽退"),
    ("col.evidence", "证明", "Evidence", "證明"),
    ("col.holiday_name", "名称", "Name", "名稱"),
    ("col.statutory", "法定", "Statutory", "法定"),
    ("col.session", "时段", "Session", "時段"),
    ("col.minutes", "分钟", "Minutes", "分鐘"),
    ("col.detail", "说明", "Detail", "說明"),
    ("col.when", "时间", "When", "時間"),
    ("col.item", "事项", "Item", "事項"),
    ("col.content", "内容", "Content", "內容"),
    ("col.approved_by", "审批人", "Approved by", "審批人"),
    ("col.terminal", "考勤机", "Terminal", "考勤機"),
    ("col.verify", "验证方式", "Verification", "驗證方式"),
    ("col.origin", "来源", "Origin", "出處"),
    ("origin.download", "联机下载", "download", "聯機下載"),
    ("origin.usb_import", "U盘导入", "USB import", "USB匯入"),
    ("origin.csv_import", "CSV导入", "CSV import", "CSV匯入"),
    ("origin.unknown", "未知", "unknown", "未知"),
    ("col.state", "状态", "State", "狀態"),
    ("col.ot_kind", "加班类别", "Overtime kind", "加班類別"),
    (
        "col.ot_statutory",
        "法定节假日",
        "Statutory day",
        "法定節假日",
    ),
    ("col.error", "错误原因", "Reason rejected", "錯誤原因"),
    // Summary heads (order of kaoqin_domain::report::summary_heads).
    ("sum.required", "应出勤天数", "Required days", "應出勤天數"),
    ("sum.attended", "实际出勤", "Attended days", "實際出勤"),
    ("sum.late_count", "迟到次数", "Late (times)", "遲到次數"),
    ("sum.late_minutes", "迟到分钟", "Late (min)", "遲到分鐘"),
    ("sum.early_count", "早退次数", "Early (times)", "早退次數"),
    ("sum.early_minutes", "早退分钟", "Early (min)", "早退分鐘"),
    (
        "sum.absent",
        "旷工(半天)",
        "Absent (half-days)",
        "曠工(半天)",
    ),
    ("sum.missing", "缺卡次数", "Missing punches", "缺卡次數"),
    (
        "sum.leave_days",
        "{name}(天)",
        "{name} (days)",
        "{name}(天)",
    ),
    ("sum.outing", "外出(天)", "Outing (days)", "外出(天)"),
    (
        "sum.outing_hours",
        "外出(小时)",
        "Outing (hours)",
        "外出(小時)",
    ),
    ("sum.trip", "出差(天)", "Trip (days)", "出差(天)"),
    ("sum.supplements", "补签次数", "Supplements", "補簽次數"),
    (
        "sum.ot_workday",
        "工作日加班(分钟)",
        "OT workday (min)",
        "工作日加班(分鐘)",
    ),
    (
        "sum.ot_restday",
        "休息日加班(分钟)",
        "OT rest day (min)",
        "休息日加班(分鐘)",
    ),
    (
        "sum.ot_holiday",
        "法定节假日加班(分钟)",
        "OT statutory holiday (min)",
        "法定節假日加班(分鐘)",
    ),
    ("sum.rate", "出勤率", "Attendance rate", "出勤率"),
    // Legend meanings.
    ("leg.present", "出勤", "present", "出勤"),
    ("leg.late", "迟到", "late", "遲到"),
    ("leg.early", "早退", "early leave", "早退"),
    ("leg.absent", "旷工", "absent", "曠工"),
    ("leg.missing", "缺卡", "missing punch", "缺卡"),
    ("leg.outing", "因公外出", "outing", "因公外出"),
    ("leg.trip", "出差", "business trip", "出差"),
    ("leg.supplement", "补签", "supplemented", "補簽"),
    ("leg.rest", "休息日", "rest day", "休息日"),
    ("leg.holiday", "节假日", "holiday", "節假日"),
    ("leg.overtime", "加班", "overtime", "加班"),
    ("leg.not_employed", "未在职", "not employed", "未在職"),
    ("leg.halves", "上午/下午", "morning/afternoon", "上午/下午"),
    // Values.
    ("kind.leave", "请假", "Leave", "請假"),
    ("kind.outing", "因公外出", "Outing", "因公外出"),
    ("kind.trip", "出差", "Business trip", "出差"),
    ("kind.supplement", "补签", "Supplement", "補簽"),
    ("kind.overtime", "加班", "Overtime", "加班"),
    ("exc.late", "迟到", "Late", "遲到"),
    ("exc.early", "早退", "Early leave", "早退"),
    ("exc.absent", "旷工", "Absent", "曠工"),
    ("exc.missing_in", "缺签到", "Missing sign-in", "缺簽到"),
    ("exc.missing_out", "缺签退", "Missing sign-out", "缺簽退"),
    (
        "exc.unmatched",
        "时段外打卡",
        "Punch outside any window",
        "時段外打卡",
    ),
    (
        "exc.non_face",
        "非人脸打卡",
        "Not verified by face",
        "非人臉打卡",
    ),
    (
        "exc.awaiting_approval",
        "待审批申请",
        "Request awaiting approval",
        "待審批申請",
    ),
    ("day.workday", "工作日", "Workday", "工作日"),
    ("day.rest_day", "休息日", "Rest day", "休息日"),
    (
        "day.public_holiday",
        "法定节假日",
        "Public holiday",
        "法定節假日",
    ),
    ("day.other_holiday", "其他假日", "Other holiday", "其他假日"),
    (
        "day.shifted_rest",
        "节假日（调休休息日）",
        "Holiday block (shifted rest day)",
        "節假日（調休休息日）",
    ),
    (
        "day.makeup_workday",
        "调休上班",
        "Make-up workday",
        "調休上班",
    ),
    (
        "ot.workday",
        "工作日加班 150%",
        "Workday 150%",
        "工作日加班 150%",
    ),
    (
        "ot.rest_day",
        "休息日加班 200%",
        "Rest day 200%",
        "休息日加班 200%",
    ),
    (
        "ot.holiday",
        "法定节假日加班 300%",
        "Statutory holiday 300%",
        "法定節假日加班 300%",
    ),
    // Snapshot diff report (the auditor's comparison): sheet names and its own column heads.
    (
        "sheet.diff_removed",
        "删除的记录",
        "Removed records",
        "刪除的記錄",
    ),
    (
        "sheet.diff_backdated",
        "补录的旧记录",
        "Back-dated additions",
        "補錄的舊記錄",
    ),
    (
        "sheet.diff_time_changed",
        "时间被改",
        "Time changed",
        "時間被改",
    ),
    (
        "sheet.diff_users",
        "用户与权限变化",
        "User changes",
        "用戶與權限變化",
    ),
    ("sheet.diff_clock", "时钟变化", "Clock changes", "時鐘變化"),
    (
        "sheet.diff_ledger_only",
        "仅在考勤库",
        "Only in Kaoqin",
        "僅在考勤庫",
    ),
    (
        "sheet.diff_terminal_only",
        "仅在考勤机",
        "Only on the terminal",
        "僅在考勤機",
    ),
    ("col.log_position", "记录序号", "Log position", "記錄序號"),
    ("col.time_before", "原时间", "Time before", "原時間"),
    ("col.time_after", "现时间", "Time after", "現時間"),
    ("col.change", "变化", "Change", "變化"),
    ("col.name_before", "原姓名", "Name before", "原姓名"),
    ("col.name_after", "现姓名", "Name after", "現姓名"),
    (
        "col.privilege_before",
        "原权限",
        "Privilege before",
        "原權限",
    ),
    ("col.privilege_after", "现权限", "Privilege after", "現權限"),
    (
        "col.password_before",
        "原有密码",
        "Password before",
        "原有密碼",
    ),
    (
        "col.password_after",
        "现有密码",
        "Password after",
        "現有密碼",
    ),
    ("col.card_before", "原卡号", "Card before", "原卡號"),
    ("col.card_after", "现卡号", "Card after", "現卡號"),
    (
        "col.skew_before",
        "原时钟偏差（秒）",
        "Clock skew before (s)",
        "原時鐘偏差（秒）",
    ),
    (
        "col.skew_after",
        "现时钟偏差（秒）",
        "Clock skew after (s)",
        "現時鐘偏差（秒）",
    ),
    ("col.skew_change", "变化（秒）", "Change (s)", "變化（秒）"),
    ("diff.added", "新增", "added", "新增"),
    ("diff.removed", "删除", "removed", "刪除"),
    ("diff.changed", "修改", "changed", "修改"),
    ("yes", "是", "yes", "是"),
    ("no", "否", "no", "否"),
    ("punch.in", "签到", "in", "簽到"),
    ("punch.out", "签退", "out", "簽退"),
    ("verify.password", "密码", "password", "密碼"),
    ("verify.fingerprint", "指纹", "fingerprint", "指紋"),
    ("verify.card", "刷卡", "card", "刷卡"),
    ("verify.face", "人脸", "face", "人臉"),
    ("verify.palm", "掌纹", "palm", "掌紋"),
    ("verify.other", "其他({n})", "other ({n})", "其他({n})"),
    ("state.in", "上班签到", "check-in", "上班簽到"),
    ("state.out", "下班签退", "check-out", "下班簽退"),
    ("state.break_out", "外出", "break-out", "外出"),
    ("state.break_in", "外出返回", "break-in", "外出返回"),
    ("state.ot_in", "加班签到", "OT-in", "加班簽到"),
    ("state.ot_out", "加班签退", "OT-out", "加班簽退"),
    ("state.other", "其他({n})", "other ({n})", "其他({n})"),
    ("example", "示例", "example", "示例"),
];

/// The string for `key` in `locale`; the key itself when missing (visible, never a panic).
pub fn t(locale: Locale, key: &str) -> &str {
    match TABLE.iter().find(|(k, ..)| *k == key) {
        Some((_, zh, en, tw)) => match locale {
            Locale::ZhCn => zh,
            Locale::En => en,
            Locale::ZhTw => tw,
        },
        None => key,
    }
}

/// Converts the simplified characters our domain strings use (department names stay as typed; this
/// is for generated texts such as leave type names) to traditional ones for zh-TW.
pub fn to_traditional(s: &str) -> String {
    const MAP: &[(char, char)] = &[
        ('产', '產'),
        ('丧', '喪'),
        ('亲', '親'),
        ('伤', '傷'),
        ('调', '調'),
        ('时', '時'),
        ('迟', '遲'),
        ('钟', '鐘'),
        ('签', '簽'),
        ('旷', '曠'),
        ('内', '內'),
        ('处', '處'),
        ('办', '辦'),
        ('务', '務'),
        ('证', '證'),
        ('专', '專'),
        ('门', '門'),
        ('计', '計'),
        ('请', '請'),
        ('别', '別'),
        ('无', '無'),
        ('个', '個'),
    ];
    s.chars()
        .map(|c| MAP.iter().find(|(a, _)| *a == c).map_or(c, |(_, b)| *b))
        .collect()
}

/// Localize a generated Chinese text (leave type name etc.).
pub fn localize_zh(locale: Locale, zh: &str, en: &str) -> String {
    match locale {
        Locale::ZhCn => zh.to_string(),
        Locale::ZhTw => to_traditional(zh),
        Locale::En => en.to_string(),
    }
}

/// Month label: 2026年10月 / 2026-10.
pub fn month_label(locale: Locale, year: i32, month: u32) -> String {
    match locale {
        Locale::En => format!("{year}-{month:02}"),
        _ => format!("{year}年{month}月"),
    }
}

/// Weekday under the day number: 一…日 or Mo…Su.
pub fn weekday_label(locale: Locale, w: chrono::Weekday) -> &'static str {
    use chrono::Weekday::*;
    match locale {
        Locale::En => match w {
            Mon => "Mo",
            Tue => "Tu",
            Wed => "We",
            Thu => "Th",
            Fri => "Fr",
            Sat => "Sa",
            Sun => "Su",
        },
        _ => kaoqin_domain::report::weekday_zh(w),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_has_three_non_empty_texts_and_keys_are_unique() {
        let mut keys = std::collections::BTreeSet::new();
        for (k, zh, en, tw) in TABLE {
            assert!(keys.insert(*k), "duplicate key {k}");
            assert!(!zh.is_empty() && !en.is_empty() && !tw.is_empty(), "{k}");
        }
        assert_eq!(t(Locale::En, "col.name"), "Name");
        assert_eq!(t(Locale::ZhTw, "col.department"), "部門");
        assert_eq!(t(Locale::ZhCn, "no.such.key"), "no.such.key");
    }

    #[test]
    fn locale_codes_parse() {
        for (s, want) in [
            ("zh-CN", Some(Locale::ZhCn)),
            ("zh_CN", Some(Locale::ZhCn)),
            ("en-US", Some(Locale::En)),
            ("zh-TW", Some(Locale::ZhTw)),
            ("zh-Hant", Some(Locale::ZhTw)),
            ("fr", None),
        ] {
            assert_eq!(Locale::parse(s), want, "{s}");
        }
        assert_eq!(to_traditional("产假"), "產假");
    }
}
