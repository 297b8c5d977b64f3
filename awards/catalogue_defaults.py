"""The award catalogue every authority starts from, as plain data.

Read by the data migration that seeds existing authorities and by
`services.catalogue_for`, which seeds an authority on first use. Every value is
editable per authority afterwards; each row cites its legal source and says what
is not confirmed. Vietnamese, because these are the legal names.

Prerequisite rules (`prerequisites`, a list) — every rule may name `applies_to`
("collective" | "individual") and a `note`:
- {"kind": "consecutive_years", "forms": [codes], "count": n}: the nominee holds
  one of the forms in each of n consecutive years, the last being the proposal's
  year or the year before;
- {"kind": "holds", "forms": [codes], "within_years": n | None}: the nominee holds
  one of the forms, in the last n years up to the proposal's year (ever if None);
- {"kind": "count_in_years", "forms": [codes], "times": t, "within_years": n}: at
  least t grants of the forms in the last n years;
- {"kind": "manual", "note": text}: a condition the registry cannot check (an
  initiative, ratings of years); shown as a reminder.

Quota rule (`quota`, or None): {"kind": "share_of_members", "percent": p,
"rounding": "up", "minimum": m}: at most p % of the term's members (rounded up),
at least m, across the term's proposals that are not rejected."""

from typing import Any

LAW = "Luật Thi đua, khen thưởng số 06/2022/QH15"
DECREE_98 = "Nghị định 98/2023/NĐ-CP"
DECREE_152 = "Nghị định 152/2025/NĐ-CP"

DEFAULT_FORMS: list[dict[str, Any]] = [
    {
        "code": "co-chinh-phu",
        "name": "Cờ thi đua của Chính phủ",
        "level": "government",
        "recipient_kind": "collective",
        "award_type": "title",
        "multiplier": "12",
        "ranking_bonus": "2",
        "legal_source": f"{LAW}, điều 25; mức thưởng: {DECREE_152}",
        "unconfirmed": "Tỷ lệ tối đa hiện hành chưa xác nhận (Nghị định 91/2017 "
        "quy định ≤ 20 % đơn vị đạt Cờ thi đua cấp tỉnh, đã bị thay thế).",
        "prerequisites": [
            {
                "kind": "holds",
                "forms": ["co-tinh"],
                "within_years": 2,
                "note": "Đơn vị dẫn đầu các cụm, khối thi đua do tỉnh tổ chức.",
            },
        ],
        "quota": None,
    },
    {
        "code": "co-tinh",
        "name": "Cờ thi đua của Ủy ban nhân dân tỉnh",
        "level": "province",
        "recipient_kind": "collective",
        "award_type": "title",
        "multiplier": None,
        "ranking_bonus": "1",
        "legal_source": f"{LAW}, điều 26 (chi tiết do tỉnh quy định, khoản 3)",
        "unconfirmed": "Mức thưởng do tỉnh quy định.",
        "prerequisites": [
            {
                "kind": "manual",
                "note": "Đơn vị dẫn đầu cụm, khối thi đua của tỉnh, được các thành "
                "viên bình xét, suy tôn.",
            },
        ],
        "quota": {
            "kind": "share_of_members",
            "percent": 20,
            "rounding": "up",
            "minimum": 1,
        },
    },
    {
        "code": "bk-ttg",
        "name": "Bằng khen của Thủ tướng Chính phủ",
        "level": "government",
        "recipient_kind": "both",
        "award_type": "form",
        "multiplier": None,
        "ranking_bonus": "0",
        "legal_source": f"{LAW}, điều 73",
        "unconfirmed": "Mức thưởng chưa xác nhận.",
        "prerequisites": [
            {"kind": "holds", "forms": ["bk-tinh"], "within_years": None},
            {
                "kind": "count_in_years",
                "forms": ["cstd-co-so"],
                "times": 3,
                "within_years": 5,
                "applies_to": "individual",
            },
            {
                "kind": "manual",
                "note": "05 năm liên tục trở lên hoàn thành tốt nhiệm vụ trở lên.",
            },
        ],
        "quota": None,
    },
    {
        "code": "bk-tinh",
        "name": "Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh",
        "level": "province",
        "recipient_kind": "both",
        "award_type": "form",
        "multiplier": None,
        "ranking_bonus": "0",
        "legal_source": f"{LAW}, điều 74 (chi tiết do tỉnh quy định, khoản 6)",
        "unconfirmed": "Mức thưởng do tỉnh quy định.",
        "prerequisites": [
            {
                "kind": "manual",
                "note": "Thành tích tiêu biểu trong phong trào thi đua do tỉnh phát "
                "động, hoặc thành tích đột xuất.",
            },
        ],
        "quota": None,
    },
    {
        "code": "cstd-toan-quoc",
        "name": "Chiến sĩ thi đua toàn quốc",
        "level": "government",
        "recipient_kind": "individual",
        "award_type": "title",
        "multiplier": "4.5",
        "ranking_bonus": "0",
        "legal_source": f"{LAW}, điều 21; mức thưởng: {DECREE_152}",
        "unconfirmed": "",
        "prerequisites": [
            {"kind": "consecutive_years", "forms": ["cstd-tinh"], "count": 2},
            {"kind": "manual", "note": "Có sáng kiến có phạm vi ảnh hưởng toàn quốc."},
        ],
        "quota": None,
    },
    {
        "code": "cstd-tinh",
        "name": "Chiến sĩ thi đua cấp tỉnh",
        "level": "province",
        "recipient_kind": "individual",
        "award_type": "title",
        "multiplier": "3",
        "ranking_bonus": "0",
        "legal_source": f"{LAW}, điều 22; mức thưởng: {DECREE_152}",
        "unconfirmed": "Cách diễn đạt điều kiện 03 lần liên tục theo Luật 2022 chưa "
        "xác nhận.",
        "prerequisites": [
            {"kind": "consecutive_years", "forms": ["cstd-co-so"], "count": 3},
            {"kind": "manual", "note": "Có sáng kiến có phạm vi ảnh hưởng cấp tỉnh."},
        ],
        "quota": None,
    },
    {
        "code": "cstd-co-so",
        "name": "Chiến sĩ thi đua cơ sở",
        "level": "unit",
        "recipient_kind": "individual",
        "award_type": "title",
        "multiplier": "1",
        "ranking_bonus": "0",
        "legal_source": f"{LAW}, điều 23; mức thưởng: {DECREE_152}",
        "unconfirmed": "",
        "prerequisites": [
            {"kind": "holds", "forms": ["ld-tien-tien"], "within_years": 1},
            {"kind": "manual", "note": "Có sáng kiến được công nhận."},
        ],
        "quota": None,
    },
    {
        "code": "ld-tien-tien",
        "name": "Lao động tiên tiến",
        "level": "unit",
        "recipient_kind": "individual",
        "award_type": "title",
        "multiplier": "0.3",
        "ranking_bonus": "0",
        "legal_source": f"{LAW}, điều 24; mức thưởng: {DECREE_152}",
        "unconfirmed": "",
        "prerequisites": [
            {"kind": "manual", "note": "Hoàn thành tốt nhiệm vụ trở lên."},
        ],
        "quota": None,
    },
    {
        "code": "ttld-xuat-sac",
        "name": "Tập thể lao động xuất sắc",
        "level": "province",
        "recipient_kind": "collective",
        "award_type": "title",
        "multiplier": "1.5",
        "ranking_bonus": "0",
        "legal_source": f"{LAW}, điều 27; mức thưởng: {DECREE_152}",
        "unconfirmed": "",
        "prerequisites": [
            {
                "kind": "manual",
                "note": "100 % thành viên hoàn thành nhiệm vụ, ít nhất 70 % đạt Lao "
                "động tiên tiến, có ít nhất 01 Chiến sĩ thi đua cơ sở.",
            },
        ],
        "quota": None,
    },
    {
        "code": "ttld-tien-tien",
        "name": "Tập thể lao động tiên tiến",
        "level": "unit",
        "recipient_kind": "collective",
        "award_type": "title",
        "multiplier": "0.8",
        "ranking_bonus": "0",
        "legal_source": f"{LAW}, điều 28 (chi tiết do tỉnh quy định); mức thưởng: "
        f"{DECREE_152}",
        "unconfirmed": "Tiêu chuẩn chi tiết do tỉnh quy định.",
        "prerequisites": [],
        "quota": None,
    },
    {
        "code": "xa-tieu-bieu",
        "name": "Xã, phường, đặc khu tiêu biểu",
        "level": "province",
        "recipient_kind": "collective",
        "award_type": "title",
        "multiplier": "2",
        "ranking_bonus": "0",
        "legal_source": f"{DECREE_152} (danh hiệu mới sau sắp xếp đơn vị hành chính "
        "năm 2025)",
        "unconfirmed": "Tiêu chuẩn chi tiết chưa xác nhận.",
        "prerequisites": [],
        "quota": None,
    },
    {
        "code": "giay-khen",
        "name": "Giấy khen",
        "level": "unit",
        "recipient_kind": "both",
        "award_type": "form",
        "multiplier": None,
        "ranking_bonus": "0",
        "legal_source": f"{LAW}, điều 75 (chi tiết do tỉnh quy định, khoản 2)",
        "unconfirmed": "Mức thưởng do tỉnh quy định.",
        "prerequisites": [],
        "quota": None,
    },
]

# (amount in VND, effective from (ISO date), legal source)
# The multipliers above are those in force before Decree 152/2025/NĐ-CP
# (Decree 98/2023/NĐ-CP); no article of Decree 152/2025 carrying them has been
# checked against its text, so every row whose amount rests on it says so to
# the admins (the catalogue page shows `unconfirmed` to admins only) until an
# admin confirms it and clears the note.
MULTIPLIER_UNCONFIRMED = (
    "Hệ số mức thưởng chưa được đối chiếu với điều, khoản cụ thể của "
    f"{DECREE_152}; đề nghị kiểm tra trước khi áp dụng."
)
for _form in DEFAULT_FORMS:
    if _form["multiplier"] is not None and DECREE_152 in _form["legal_source"]:
        _form["unconfirmed"] = " ".join(
            filter(None, (_form["unconfirmed"], MULTIPLIER_UNCONFIRMED))
        )
del _form

DEFAULT_BASE_SALARIES = [
    ("1490000", "2019-07-01", "Nghị định 38/2019/NĐ-CP"),
    ("1800000", "2023-07-01", "Nghị định 24/2023/NĐ-CP"),
    ("2340000", "2024-07-01", "Nghị định 73/2024/NĐ-CP"),
]
