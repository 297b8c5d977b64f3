"""Award forms whose amount rests on Decree 152/2025/NĐ-CP without a checked
article say so to the admins (`awards.catalogue_defaults.MULTIPLIER_UNCONFIRMED`):
existing authorities' rows change only where they still hold the old default
note, so an admin's own wording is kept."""

from django.db import migrations

# Frozen as of this migration.
NOTE = (
    "Hệ số mức thưởng chưa được đối chiếu với điều, khoản cụ thể của "
    "Nghị định 152/2025/NĐ-CP; đề nghị kiểm tra trước khi áp dụng."
)
OLD_NOTES = {
    "co-chinh-phu": "Tỷ lệ tối đa hiện hành chưa xác nhận (Nghị định 91/2017 "
    "quy định ≤ 20 % đơn vị đạt Cờ thi đua cấp tỉnh, đã bị thay thế).",
    "cstd-toan-quoc": "",
    "cstd-tinh": "Cách diễn đạt điều kiện 03 lần liên tục theo Luật 2022 chưa "
    "xác nhận.",
    "cstd-co-so": "",
    "ld-tien-tien": "",
    "ttld-xuat-sac": "",
    "ttld-tien-tien": "Tiêu chuẩn chi tiết do tỉnh quy định.",
    "xa-tieu-bieu": "Tiêu chuẩn chi tiết chưa xác nhận.",
}


def _new(old):
    return " ".join(filter(None, (old, NOTE)))


def flag_unconfirmed_multipliers(apps, schema_editor):
    AwardForm = apps.get_model("awards", "AwardForm")
    for code, old in OLD_NOTES.items():
        AwardForm.objects.filter(code=code, unconfirmed=old).update(
            unconfirmed=_new(old)
        )


def unflag(apps, schema_editor):
    AwardForm = apps.get_model("awards", "AwardForm")
    for code, old in OLD_NOTES.items():
        AwardForm.objects.filter(code=code, unconfirmed=_new(old)).update(
            unconfirmed=old
        )


class Migration(migrations.Migration):
    dependencies = [
        ("awards", "0006_seed_catalogue_of_later_authorities"),
    ]

    operations = [migrations.RunPython(flag_unconfirmed_multipliers, unflag)]
