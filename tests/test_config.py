"""The typed configuration: pure, no git."""

from __future__ import annotations

import pytest

from runbook_cli.domain import config
from runbook_cli.errors import MalformedFileError, UsageError


def test_the_file_init_writes_reads_back_as_the_defaults() -> None:
    assert config.parse(config.default_text()) == config.defaults()


def test_every_setting_has_a_note_in_the_written_file() -> None:
    text = config.default_text()
    for key, setting in config.SETTINGS.items():
        assert f"# {setting.note}\n{key}:" in text


def test_seed_severities_are_records_most_severe_first() -> None:
    seed = config.defaults()
    assert [s.high for s in seed.severities.values()] == [True, True, False, False]
    assert [seed.rank(name) for name in seed.severities] == [0, 1, 2, 3]
    assert seed.severity(seed.severity_names[0]).pagerduty == "critical"
    assert seed.severity(seed.severity_names[0]).label == "Critical"


def test_a_team_defines_its_own_levels_with_or_without_details() -> None:
    mine = config.parse(
        "severities:\n  P1: {meaning: 'Urgent: all down', high: true, pagerduty: critical}\n"
        "  P2: Degraded\n"
    )
    assert mine.severity_names == ["P1", "P2"]
    assert mine.severity("P1").high and not mine.severity("P2").high
    assert mine.severity("P2").pagerduty == "error"
    assert mine.normalize_severity("p2") == "P2"
    assert mine.severity("gone").meaning == "gone"  # an old incident's level is still shown


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("comms:\n  chanel: '#x'\n", "Did you mean 'comms.channel'?"),
        ("severities:\n  X: {colour: red}\n", "severity X must be a meaning, or a mapping"),
        ("severities:\n  X: {pagerduty: loud}\n", "'pagerduty' must be one of"),
        ("ack_target_minutes: true\n", "'ack_target_minutes' must be a positive whole number"),
        ("postmortem:\n  holidays: [2026-13-01]\n", "is not a date"),
        ("sync:\n  auto: maybe\n", "'sync.auto' must be true or false"),
        ("runbook_review:\n  last_reviewed: soon\n", "must be a date"),
        (
            "services:\n  billing: {patient-data: true}\n",
            "Did you mean 'services.billing.patient_data'?",
        ),
        ("services:\n  billing: {patient_data: yes please}\n", "must be true or false"),
        ("sensitive_data:\n  disabled: phone\n", "'sensitive_data.disabled' must be a list"),
        ("sensitive_data:\n  extra: {mrn: [1]}\n", "'sensitive_data.extra' must map names"),
        ("sensitive_data:\n  medical_record_number: 7\n", "must be a pattern"),
        ("integrations:\n  jira: {issue_type: null}\n", "'integrations.jira.issue_type' must"),
        ("integrations:\n  statuspage: {components: [a]}\n", "'integrations.statuspage.comp"),
        ("integrations:\n  linear: {team_id: [7]}\n", "'integrations.linear.team_id' must be"),
        ("capture:\n  max_polls: 0\n", "'capture.max_polls' must be a positive whole number"),
        ("comms:\n  message_update_minutes: 0\n", "'comms.message_update_minutes' must be"),
    ],
)
def test_bad_settings_are_one_sentence_naming_the_setting(text: str, message: str) -> None:
    with pytest.raises(
        MalformedFileError, match=r"fix the file|fix the YAML|Did you mean"
    ) as caught:
        config.parse(text)
    assert message in str(caught.value)


def test_free_form_mappings_add_to_the_seed() -> None:
    mine = config.parse(
        "services:\n  billing: {squad: Money}\nchecklist:\n  legal_told: Legal told.\n"
    )
    assert "billing" in mine.services and "appointment-service" in mine.services
    assert "legal_told" in mine.checklist and "ticket_updated" in mine.checklist


def test_unknown_severity_lists_the_valid_ones() -> None:
    with pytest.raises(UsageError, match=r"use one of SEV-0 \(Critical\)"):
        config.defaults().normalize_severity("SEV-9")


def test_every_setting_is_read_as_a_typed_record_with_its_one_default() -> None:
    seed = config.defaults()
    hub = seed.service("doctor-hub")
    assert (hub.squad, hub.patient_data, hub.links) == ("Doctor Hub", True, ())
    assert seed.service("not-listed") == config.Service()  # other names are accepted too
    assert seed.integrations.jira.issue_type == "Task" and seed.integrations.linear.team_id is None
    assert seed.integrations.statuspage.impact_for("SEV-1") == "major"
    assert seed.capture.slack_reaction == "pushpin" and seed.capture.max_polls == 240
    assert seed.sensitive_data == config.SensitiveData()
    # a message promises the severity's cadence, else the one default for the others
    assert seed.comms.promised_minutes("SEV-1") == 15
    assert seed.comms.promised_minutes("SEV-3") == seed.comms.message_update_minutes == 30
    assert seed.comms.status_page_every("SEV-3") == 30


def test_a_team_sets_what_messages_promise_for_severities_without_a_cadence() -> None:
    mine = config.parse("comms:\n  message_update_minutes: 45\n")
    assert mine.comms.promised_minutes("SEV-2") == 45 and mine.comms.promised_minutes("SEV-0") == 15
    assert mine.comms.status_page_every("SEV-2") == 45


def test_an_id_of_digits_that_yaml_reads_as_a_number_is_still_an_id() -> None:
    mine = config.parse(
        "integrations:\n  statuspage: {page_id: 12345, components: {patient-web: 678}}\n"
        "  linear: {team_id: 42}\n"
    )
    page = mine.integrations.statuspage
    assert (page.page_id, page.components["patient-web"], mine.integrations.linear.team_id) == (
        "12345",
        "678",
        "42",
    )
