"""Strings the sensitive-data guard must refuse (with the kind it must name) and ordinary
timeline text it must accept. Every value is fake: documentation numbers (555-01xx phones,
Ofcom's drama numbers, test card numbers, the IBAN registry's examples, AWS's EXAMPLE keys)."""

from __future__ import annotations

SSN = "123-45-6789"
HOSTILE: list[tuple[str, str]] = [
    # invisible and format characters inside the value
    ("us-ssn", "patient SSN 123\u200b-45-6789"),  # zero-width space
    ("us-ssn", "patient 123-4\u200d5-6789"),  # zero-width joiner
    ("email", "contact jane.doe\u200c@gmail.com"),  # zero-width non-joiner
    ("aws-access-key", "key AKIA\u2060IOSFODNN7EXAMPLE"),  # word joiner
    ("secret-assignment", "pass\u00adword=SuperSecret123"),  # soft hyphen
    ("us-ssn", "patient 123-45-\ufeff6789"),  # byte-order mark
    ("phone", "call 415-555-\u180e0134"),  # Mongolian vowel separator
    ("us-ssn", "patient 123-45-\u200e6789"),  # left-to-right mark
    ("github-token", "token gh\u200fp_" + "a1B2" * 9),  # right-to-left mark
    ("us-ssn", "patient \u202e123-45-6789\u202c"),  # right-to-left override
    ("email", "mail \u2066jane.doe@gmail.com\u2069"),  # isolates
    ("us-ssn", "patient 123\u034f-45-6789"),  # combining grapheme joiner
    # non-ASCII digits and punctuation
    ("us-ssn", "patient \uff11\uff12\uff13-\uff14\uff15-\uff16\uff17\uff18\uff19"),  # fullwidth
    ("us-ssn", "patient 123\uff0d45\uff0d6789"),  # fullwidth hyphen-minus
    ("us-ssn", "SSN \u0661\u0662\u0663-\u0664\u0665-\u0666\u0667\u0668\u0669"),  # Arabic-Indic
    ("us-ssn", "SSN \u06f1\u06f2\u06f3-\u06f4\u06f5-\u06f6\u06f7\u06f8\u06f9"),  # Persian
    ("phone", "call \u096a\u0967\u096b-\u096b\u096b\u096b-\u0966\u0967\u0969\u096a"),  # Devanagari
    ("email", "patient jane.doe\uff20gmail.com"),  # fullwidth @
    ("email", "patient jane.doe\ufe6bgmail.com"),  # small commercial at
    ("secret-assignment", "password\uff1aSuperSecret123"),  # fullwidth colon
    ("aws-access-key", "key \uff21\uff2b\uff29\uff21IOSFODNN7EXAMPLE"),  # fullwidth letters
    ("phone", "call 415\uff0e555\uff0e0134"),  # fullwidth full stops
    ("us-ssn", "patient \U0001d7cf\U0001d7d0\U0001d7d1-\U0001d7d2\U0001d7d3-6789"),  # math digits
    ("payment-card", "card \uff14\uff11\uff11\uff11 1111 1111 1111"),
    # unformatted or differently separated numbers
    ("us-ssn", "SSN 123456789"),
    ("us-ssn", "ssn: 123 45 6789"),
    ("us-ssn", "patient 123.45.6789 on file"),
    ("us-ssn", "patient 123\u201345\u20136789"),  # en dash
    ("us-ssn", "patient 123\u201145\u20116789"),  # non-breaking hyphen
    ("us-ssn", "patient 123\u201445\u20146789"),  # em dash
    ("us-ssn", "patient 123 45 6789"),
    ("us-ssn", "social security number 123456789"),
    ("us-ssn", "patient 123\u00a045\u00a06789"),  # no-break spaces
    ("phone", "patient 415.555.0134"),
    ("phone", "call me at 4155550134"),
    ("phone", "phone: 4155550134"),
    ("phone", "reached on +14155550134"),
    ("phone", "reached on +1 (415) 555-0134"),
    ("phone", "reached on (415) 555-0134"),
    ("phone", "reached on 415\u2013555\u20130134"),
    ("phone", "reached on 415 555 0134"),
    ("phone", "reached on +44 20 7946 0958"),
    ("phone", "reached on 020 7946 0958"),
    ("phone", "reached on +33 1 23 45 67 89"),
    ("phone", "reached on 01 23 45 67 89"),
    ("phone", "reached on +49 30 901820"),
    ("phone", "tel 030/1234567"),
    ("phone", "reached on +91 98765 43210"),
    ("phone", "mobile 555 0134"),
    # medical record numbers written out
    ("medical-record-number", "medical record number 00123456"),
    ("medical-record-number", "Medical Record No. 00123456"),
    ("medical-record-number", "chart MRN#00123456"),
    ("medical-record-number", "med rec # 1234567"),
    ("medical-record-number", "the MRN is 00123456"),
    # passwords, quoted, JSON-style and in prose
    ("secret-assignment", '{"password": "hunter22"}'),
    ("secret-assignment", "password: 'SuperSecret123'"),
    ("secret-assignment", 'PASSWORD="SuperSecret123"'),
    ("secret-assignment", "the password is hunter22"),
    ("secret-assignment", "the password was Tr0ub4dor&3"),
    ("secret-assignment", "db_password=SuperSecret123"),
    ("secret-assignment", "client_secret: 'abc123def456'"),
    ("secret-assignment", "api key: sk3cr3tK3yValue"),
    ("secret-assignment", "passphrase = correct-horse-battery"),
    ("secret-assignment", "set password=SuperSecret123 on the replica"),
    # dates of birth
    ("date-of-birth", "D.O.B. 03/12/1984"),
    ("date-of-birth", "D.O.B: 1984-03-12"),
    ("date-of-birth", "date of birth: 12 March 1984"),
    ("date-of-birth", "born on March 12, 1984"),
    ("date-of-birth", "DOB 12.03.1984"),
    # newer credential formats
    ("github-token", "token github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz"),
    ("slack-token", "app token xapp-1-A0123456789-1234567890123-abcdef"),
    ("slack-token", "refresh xoxe.xoxp-1-Mi0yLTE0NTYwMTk5"),
    ("slack-token", "refresh xoxe-1-My0xLTEyMzQ1Njc4"),
    ("slack-webhook", "posted to https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXX"),
    ("aws-secret-key", "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
    ("aws-secret-key", '"SecretAccessKey": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"'),
    # payment cards (Luhn-valid test numbers) and IBANs (the registry's examples)
    ("payment-card", "card 4111 1111 1111 1111"),
    ("payment-card", "card 4111-1111-1111-1111"),
    ("payment-card", "card 4111111111111111"),
    ("payment-card", "card 5555 5555 5555 4444"),
    ("payment-card", "card 3782 822463 10005"),
    ("payment-card", "card 6011 1111 1111 1117"),
    ("payment-card", "ref 12 4111 1111 1111 1111"),
    ("iban", "refund to GB82 WEST 1234 5698 7654 32"),
    ("iban", "refund to DE89370400440532013000"),
    ("iban", "refund to FR14 2004 1010 0505 0001 3M02 606"),
    # the kinds that were already caught stay caught
    ("aws-access-key", "rotated key AKIAIOSFODNN7EXAMPLE after the leak"),
    ("private-key", "-----BEGIN OPENSSH PRIVATE KEY----- pasted"),
    ("private-key", "-----BEGIN RSA PRIVATE KEY-----"),
    ("github-token", "used ghp_" + "a1B2" * 9 + " to deploy"),
    ("slack-token", "bot token xoxb-1234567890-abcdefghij"),
    ("password-in-url", "connected with postgres://admin:hunter22@db.internal/app"),
    ("us-ssn", "patient with SSN 123-45-6789 could not book"),
    ("medical-record-number", "record MRN: 00123456 affected"),
    ("email", "patient jane.doe@gmail.com reported it"),
    ("phone", "patient called from +1 415-555-0134"),
    ("date-of-birth", "Jane Doe, DOB 1984-03-12, saw an error"),
    ("jwt", "header eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N"),
]

BENIGN: list[str] = [
    "- 2026-11-26 14:03:22 UTC — Priya Raman — Rolled back appointment-service to 2026.11.26-2",
    "started_at: '2026-11-26T14:03:22Z'",
    "release 2026.11.26-2 deployed at 09:02, 2026.11.25-13 before it",
    "p99 latency 1234 ms, error rate 64%, 95.5% CPU, 12.3 GiB memory",
    "took 3h 20m; 45 min to detect; MTTR 00:48; 01:30:00 in total",
    "request id 482913576 failed",
    "trace 4f9a2b7c1d3e5f60, span 0123456789abcdef",
    "commit 3f9a2b7c1d3e5f60718293a4b5c6d7e8f9a0b1c2 reverted",
    "epoch 1764115200 seconds, 1764115200123 ms",
    "ticket INC-123-456-7890 and OPS-1234",
    "version 1.23.4567, chart v2.14.0, image tag 2026.11.26-2",
    "10.123.45.67 and 192.168.100.200 were drained; ports 5432 and 6379",
    "11/26/2026 at 14:05, ETA 2026-12-01 17:00 UTC",
    "restarted 3 of 12 pods at 09:02 (2026-11-26)",
    "password reset emails delayed for 30 min",
    "the password is incorrect for 20% of logins",
    "password: rotated by Sam",
    "API key: rotated at 14:02; secret rotation completed",
    "rotated the api_key=${API_KEY} placeholder",
    "password=<redacted> in the logs, password: ******** in the UI",
    "postgres://app:****@db.internal was the DSN shape",
    "https://status.example.org:443/incidents/123 updated",
    "born from the retry storm of 2026",
    "DOB field validation failed for 3% of signups",
    "Medical record service returned 502 for 12000 requests",
    "MRN lookups failing since 09:02",
    "called the on-call at 09:05",
    "called vendor support at 14:10, case 5512",
    "phone verification SMS delayed by 120 s",
    "+25% error rate, +300 ms latency",
    "rows: 12 345 678 migrated, 1,234,567,890 bytes",
    "uuid 123e4567-e89b-12d3-a456-426614174000",
    "order 4111111111111112 failed (not a card: the checksum is wrong)",
    "amount 1234 5678 9012 3456 units",
    "sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "ghp_ prefix tokens were revoked; AKIA keys rotated; the JWT (eyJ...) expired",
    "@channel please ack; user@host; node@16.4.2; app@sha256:abcdef",
    "job 0123456789 finished; batch 2026-11-26-3",
    "GB 1024 of storage; DE and FR teams; ISO 27001",
    "Comms: slack update posted to Slack: :red_circle: SEV-1 — Booking down",
    "Grafana panel 12345678, dashboard 87654321",
    "14:03:22.123456 first error",
    "le 26.11.2026 à 14h, Tomás Ortega — Ana Díaz",
    "Status investigating → mitigated.",
]

# Shapes that make a backtracking or position-by-position scan slow; repeated to any length.
HOSTILE_SHAPES = {
    "letters": "a" * 64,
    "digits": "1" * 64,
    "spaced digits": "1 " * 32,
    "dashed digits": "12-" * 21,
    "at signs": "a@a." * 16,
    "jwt starts": "eyJ" * 21,
    "jwt parts": "eyJaaaaaaaaaaaa." * 4,
    "passwords": "password=" * 7,
    "url userinfo": "://a:" * 12,
    "slack": "xoxb-" * 12,
    "invisible digits": "1\u200b" * 32,
    "key headers": "-----BEGIN " * 6,
    "uppercase": "AKIA" * 16,
    "iban-like": "GB82 " * 12,
    "plus": "+1 " * 21,
    "parentheses": "(" * 64,
    "dob": "d.o.b. " * 9,
    "mrn": "mrn " * 16,
    "phone words": "call 1 " * 9,
    "mixed": "SSN 123-45-6789 jane@x.org 4111 1111 1111 1111 \u200b\uff11 password: x\n",
}
