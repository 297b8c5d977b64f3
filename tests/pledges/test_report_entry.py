"""Report entry for many indicators: each group of indicators (a
criterion) saves by itself with its own version, without JavaScript the whole
form saves and returns to the group, plausibility warnings beside the field
and before sending, live totals and the query count with 5 or 40 indicators."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from core.errors import DomainError
from pledges import services
from pledges.models import (
    Criterion,
    Indicator,
    IndicatorResult,
    Report,
    SelfScore,
    Target,
)
from tests.helpers import assert_queries_stable
from tests.pledges.report_entry_pledge import groups_of, reporting_pledge

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def big(world):
    return reporting_pledge(world)


def _url(world, name="report_edit"):
    return reverse(name, args=[world.term.pk, world.unit_a.pk])


def _version(world):
    report = Report.objects.filter(term=world.term, unit=world.unit_a).first()
    return report.version if report else 1


def _group_post(criterion, indicators, values, version, group=True):
    """What the htmx Save button of one group sends (hx-params: only its own
    fields), or, with group=False, what the whole form sends without it."""
    data = {"section": "indicators", "version": version, "group": criterion.pk}
    if group:
        data["scope"] = "group"
    for indicator, value in zip(indicators, values, strict=True):
        data[f"actual_{indicator.pk}"] = value
        data[f"note_{indicator.pk}"] = ""
    return data


def _actuals(world):
    return dict(
        IndicatorResult.objects.filter(
            report__term=world.term, report__unit=world.unit_a
        ).values_list("indicator__code", "actual")
    )


def test_one_group_saves_by_itself_and_says_when_next_to_its_button(world, login, big):
    client = login(world.users["officer"])
    (first, first_rows), (second, second_rows), *_rest = groups_of(big)
    response = client.post(
        _url(world),
        _group_post(second, second_rows, ["95", "100", "1.234,5", "80"], 1),
        **HX,
    )
    assert response.status_code == 200
    page = response.content.decode()
    group = page.split(f'id="section-{second.pk}"')[1].split("</tbody>")[0]
    assert re.search(
        rf'id="saved-{second.pk}"><span aria-hidden="true">✓ </span>Đã lưu lúc '
        r"\d\d:\d\d</span>",
        group,
    )
    assert f'id="saved-{first.pk}"' not in page, "only next to the button pressed"
    assert _actuals(world) == {
        "CT5": Decimal(95),
        "CT6": Decimal(100),
        "CT7": Decimal("1234.5"),
        "CT8": Decimal(80),
    }
    report = Report.objects.get(term=world.term, unit=world.unit_a)
    entry = report.history.order_by("-history_date", "-history_id").first()
    assert entry.history_change_reason == f"section:indicators:{second.pk}"
    assert f'"version": "{report.version}"' in group, "the group's new version"


def test_group_save_ignores_fields_of_other_groups(world, login, big):
    client = login(world.users["officer"])
    (first, first_rows), (second, second_rows), *_rest = groups_of(big)
    data = _group_post(first, first_rows, ["1", "2", "3", "4"], 1)
    data[f"actual_{second_rows[0].pk}"] = "999"
    assert client.post(_url(world), data, **HX).status_code == 200
    assert set(_actuals(world)) == {"CT1", "CT2", "CT3", "CT4"}


def test_another_tab_saving_another_group_is_kept(world, login, big):
    """Two tabs loaded at version 1: the first saves group 1, the second then
    saves group 2 from its old page; both groups keep their values."""
    client = login(world.users["officer"])
    (first, first_rows), (second, second_rows), *_rest = groups_of(big)
    client.post(_url(world), _group_post(first, first_rows, ["1"] * 4, 1), **HX)
    response = client.post(
        _url(world), _group_post(second, second_rows, ["2"] * 4, 1), **HX
    )
    assert "Đã lưu lúc" in response.content.decode()
    actuals = _actuals(world)
    assert [actuals[f"CT{n}"] for n in range(1, 9)] == [1] * 4 + [2] * 4


def test_another_tab_saving_the_same_group_is_a_conflict(world, login, big):
    client = login(world.users["officer"])
    (first, first_rows), *_rest = groups_of(big)
    client.post(_url(world), _group_post(first, first_rows, ["1"] * 4, 1), **HX)
    response = client.post(
        _url(world), _group_post(first, first_rows, ["7"] * 4, 1), **HX
    )
    page = response.content.decode()
    group = page.split(f'id="section-{first.pk}"')[1].split("</tbody>")[0]
    assert f'id="stale-group-{first.pk}"' in group
    assert "Chính bạn đã thay đổi phần này của báo cáo" in group
    assert _actuals(world)["CT1"] == 1
    assert 'value="7"' in group, "what was typed stays on the page"


def test_whole_indicator_save_after_a_group_is_a_conflict_with_it(world, big):
    officer = world.users["officer"]
    (first, first_rows), (second, second_rows), *_rest = groups_of(big)
    report = services.report_start(term=world.term, unit=world.unit_a, actor=officer)
    services.report_save_section(
        report=report,
        actor=officer,
        version=1,
        section="indicators",
        data={first_rows[0]: (Decimal(1), "")},
        criterion=first,
    )
    with pytest.raises(services.StaleReport):
        services.report_save_section(
            report=report,
            actor=officer,
            version=1,
            section="indicators",
            data={second_rows[0]: (Decimal(2), "")},
        )
    services.report_save_section(  # the other group: no conflict
        report=report,
        actor=officer,
        version=1,
        section="indicators",
        data={second_rows[0]: (Decimal(2), "")},
        criterion=second,
    )
    assert _actuals(world) == {"CT1": 1, "CT5": 2}


def test_group_save_refuses_an_indicator_of_another_group(world, big):
    officer = world.users["officer"]
    (first, _first_rows), (_second, second_rows), *_rest = groups_of(big)
    report = services.report_start(term=world.term, unit=world.unit_a, actor=officer)
    with pytest.raises(DomainError, match="CT5"):
        services.report_save_section(
            report=report,
            actor=officer,
            version=1,
            section="indicators",
            data={second_rows[0]: (Decimal(2), "")},
            criterion=first,
        )
    assert _actuals(world) == {}
    assert Report.objects.get(pk=report.pk).version == 1


def test_another_officers_save_of_another_group_is_still_a_conflict(world, big):
    """Per part only for one's own saves: another officer's change anywhere
    means the page no longer shows the report as it is (DESIGN: reload)."""
    from tests.clusters.factories import officer as make_officer

    officer = world.users["officer"]
    other = make_officer(world.unit_a, username="officer_a2", full_name="Lê Thị Hai")
    (first, first_rows), (second, second_rows), *_rest = groups_of(big)
    report = services.report_start(term=world.term, unit=world.unit_a, actor=officer)
    services.report_save_section(
        report=report,
        actor=other,
        version=1,
        section="indicators",
        data={first_rows[0]: (Decimal(1), "")},
        criterion=first,
    )
    with pytest.raises(services.StaleReport, match="Lê Thị Hai"):
        services.report_save_section(
            report=report,
            actor=officer,
            version=1,
            section="indicators",
            data={second_rows[0]: (Decimal(2), "")},
            criterion=second,
        )


def test_group_save_is_refused_when_the_report_was_submitted(world, login, big):
    client = login(world.users["officer"])
    (first, first_rows), *_rest = groups_of(big)
    report = services.report_start(
        term=world.term, unit=world.unit_a, actor=world.users["officer"]
    )
    Report.objects.filter(pk=report.pk).update(state="submitted")
    response = client.post(
        _url(world), _group_post(first, first_rows, ["1"] * 4, 1), **HX
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == _url(world)
    assert _actuals(world) == {}


def test_unknown_group_saves_nothing(world, login, big):
    client = login(world.users["officer"])
    (first, first_rows), *_rest = groups_of(big)
    assessed = big.criteria.get(code="II.1")
    for group in (assessed.pk, 10**9, "x"):
        data = _group_post(first, first_rows, ["1"] * 4, 1)
        data["group"] = group
        response = client.post(_url(world), data)
        assert response.status_code == 302
    assert _actuals(world) == {}


def test_without_javascript_the_whole_form_saves_and_returns_to_the_group(
    world, login, big
):
    client = login(world.users["officer"])
    groups = groups_of(big)
    data = {"section": "indicators", "version": 1, "group": groups[3][0].pk}
    for _criterion, rows in groups:
        for indicator in rows:
            data[f"actual_{indicator.pk}"] = "100"
            data[f"note_{indicator.pk}"] = ""
    response = client.post(_url(world), data)
    assert response.status_code == 302
    pk = groups[3][0].pk
    assert response["Location"] == f"{_url(world)}?saved={pk}#section-{pk}"
    assert len(_actuals(world)) == 40
    page = client.get(response["Location"]).content.decode()
    assert page.count("Đã lưu lúc") == 1
    group = page.split(f'id="section-{pk}"')[1].split("</tbody>")[0]
    assert "Đã lưu lúc" in group


def test_page_has_one_section_anchor_and_button_per_group(world, login, big):
    page = login(world.users["officer"]).get(_url(world)).content.decode()
    for criterion, rows in groups_of(big):
        group = page.split(f'id="section-{criterion.pk}"')[1].split("</tbody>")[0]
        button = re.search(r"<button[^>]*>", group.split('class="group-save"')[1])
        params = re.search(r'hx-params="([^"]*)"', button.group(0)).group(1)
        assert set(params.split(",")) == {
            "section",
            "scope",
            "group",
            "version",
            "csrfmiddlewaretoken",
            "form_token",
            *(f"actual_{i.pk}" for i in rows),
            *(f"note_{i.pk}" for i in rows),
        }
        assert f'value="{criterion.pk}"' in button.group(0)
        for indicator in rows:
            assert f'id="i-{indicator.pk}"' in group
    for label in ("Kế hoạch", "Thực hiện năm trước"):
        assert page.count(f'data-label="{label}"') == 40
    assert "data-enter-moves" in page
    # A save no longer refreshes the other sections' versions: a section saved
    # meanwhile in another tab is then not overwritten from this page.
    assert "#version-" not in page
    assert "js/report_entry.js" in page


# Plausibility ----------------------------------------------------------------------


def test_warning_beside_the_field_and_before_sending_but_submitting_works(
    world, login, big
):
    client = login(world.users["officer"])
    groups = groups_of(big)
    first_indicator = groups[0][1][0]
    for n, (criterion, rows) in enumerate(groups):
        values = ["12.345.678"] + ["100"] * 3 if n == 0 else ["100"] * 4
        client.post(
            _url(world), _group_post(criterion, rows, values, _version(world)), **HX
        )
    page = client.get(_url(world)).content.decode()
    beside = page.split(f'id="warn-{first_indicator.pk}"')[1].split("</div>")[0]
    assert "Kiểm tra lại: đạt 21.285,7 % kế hoạch?" in beside
    assert "Có phải là 12.345,678?" in beside
    summary = page.split('id="cautions"')[1].split("</div>")[0]
    link = f'<a class="alert-link" href="#i-{first_indicator.pk}">CT1</a>'
    assert f"{link}: Kiểm tra lại: đạt" in summary
    assert summary.count("<li>") == 3, "only CT1's three warnings"
    assessed = big.criteria.get(code="II.1")
    client.post(
        _url(world),
        {
            "section": "criteria",
            "version": _version(world),
            f"points_{assessed.pk}": "15",
            f"explanation_{assessed.pk}": "Đạt",
        },
    )
    response = client.post(
        _url(world), {"action": "submit", "version": _version(world)}
    )
    assert response.status_code == 302
    assert Report.objects.get(term=world.term, unit=world.unit_a).state == "submitted"


def test_preview_warns_while_typing_and_totals_follow(world, login, big):
    client = login(world.users["officer"])
    (first, first_rows), (second, second_rows), *_rest = groups_of(big)
    data = {
        "indicator": first_rows[0].pk,
        f"actual_{first_rows[0].pk}": "12.345.678",
        f"actual_{first_rows[1].pk}": "100",
        f"actual_{second_rows[0].pk}": "50",
    }
    fragment = client.post(_url(world, "report_preview"), data).content.decode()
    warnings = fragment.split(f'id="warn-{first_rows[0].pk}"')[1].split("</div>")[0]
    assert "Kiểm tra lại: đạt 21.285,7 % kế hoạch?" in warnings
    # Group 1: CT1 capped at 120 % of its 2 points → 2,4; CT2 100 % → 2: 4,4.
    group = fragment.split(f'id="crit-pts-{first.pk}"')[1].split("</span></span>")[0]
    assert "4,4 / 8 điểm" in group
    # Group 2: CT5 at 50 % of plan → 1; all typed values: 5,4.
    assert re.search(r'id="total-so-far">5,4<', fragment)
    assert 'id="total-line">Điểm tạm tính: 5,4 / 100' in fragment
    assert not Report.objects.exists(), "the preview writes nothing"


# Totals and the bar ----------------------------------------------------------------


def test_points_per_criterion_with_a_bar_and_the_number_as_text(world, login, big):
    client = login(world.users["officer"])
    (first, first_rows), *_rest = groups_of(big)
    client.post(
        _url(world), _group_post(first, first_rows, ["58.000", "100", "50", ""], 1)
    )
    page = client.get(_url(world)).content.decode()
    totals = page.split('id="report-totals"')[1].split("</section>")[0]
    # 2 + 2 + 1 + nothing = 5 of 8 points: a bar 62,5 % wide.
    row = totals.split("I.1</strong>")[1].split("</tr>")[0]
    assert 'class="points-bar-fill" width="62.5"' in row
    assert "5 / 8 điểm" in row
    assert re.search(r'id="total-so-far">5<', totals)
    assert re.search(r'id="indicators-total">.*>5</td>', page)


# Query count ---------------------------------------------------------------------


def test_report_page_query_count_is_flat_from_5_to_40_indicators(world, login):
    pledge = reporting_pledge(world, groups=1, per_group=5)
    client = login(world.users["officer"])
    (first, rows), *_rest = groups_of(pledge)
    client.post(_url(world), _group_post(first, rows, ["90"] * 5, 1), **HX)
    report = Report.objects.get(term=world.term, unit=world.unit_a)
    SelfScore.objects.create(
        report=report, criterion=pledge.criteria.get(code="II.1"), points=10
    )
    section = pledge.sections.get(code="I")

    def grow():
        for g in range(7):
            criterion = Criterion.objects.create(
                pledge=pledge,
                section=section,
                code=f"I.{g + 2}",
                title=f"Nhóm {g + 2}",
                kind="indicator",
                max_points=5,
            )
            for n in range(5):
                indicator = Indicator.objects.create(
                    pledge=pledge,
                    criterion=criterion,
                    code=f"CTX{g}{n}",
                    title="Thêm",
                    unit_of_measure="tỷ đồng",
                )
                Target.objects.create(
                    indicator=indicator, unit=world.unit_a, planned=100, last_actual=9
                )
                IndicatorResult.objects.create(
                    report=report, indicator=indicator, actual=5000
                )

    assert_queries_stable(client, _url(world), grow)
    assert Indicator.objects.filter(pledge=pledge).count() == 40
    page = client.get(_url(world)).content.decode()
    assert page.count('class="caution small') >= 35, "the warnings cost no query"
