/**
 * Each detector on its own: what it finds (and the span it replaces), and the near misses it
 * must leave alone. Run through the processor with one detector on, censoring.
 */
import { assert, describe, it } from "@effect/vitest"
import { Schema } from "effect"
import { Config, type Detector, make } from "../src/index.js"
import { detectorNames, ibanChecksum, isIpv6, luhn } from "../src/internal/detectors.js"

const only = (name: Detector) => {
  const detectors = Object.fromEntries(detectorNames.map((d) => [d, d === name ? "censor" : "off"]))
  const processor = make(Schema.decodeUnknownSync(Config)({ detectors, censor: "#" }))
  return (message: string): string =>
    processor.process?.({
      timestamp: "2026-12-06T12:00:00.000Z",
      level: "info",
      logger: "t",
      message,
      fields: {}
    })?.message ?? "(dropped)"
}

const cases: ReadonlyArray<{
  readonly detector: Detector
  readonly found: ReadonlyArray<readonly [string, string]>
  readonly kept: ReadonlyArray<string>
}> = [
  {
    detector: "email",
    found: [
      ["mail ada@example.com now", "mail # now"],
      ["to: first.last+tag@mail.example.co.uk.", "to: #."],
      ["<GRACE_01@EXAMPLE.IO>", "<#>"],
      ["a@b.io and c@d.org", "# and #"]
    ],
    kept: [
      "user@localhost",
      "a@b@c.com",
      "@handle",
      "x@y",
      "ada@example.c0m",
      "ada@-bad.com",
      "ada.@example.com"
    ]
  },
  {
    detector: "card",
    found: [
      ["card 4111 1111 1111 1111 ok", "card # ok"],
      ["4111-1111-1111-1111", "#"],
      ["amex 3782 822463 10005", "amex #"],
      ["pan=5555555555554444&x", "pan=#&x"],
      ["discover 6011111111111117.", "discover #."],
      ["mc 2223003122003222", "mc #"]
    ],
    kept: [
      "4111111111111112", // Luhn fails
      "epoch 1733500000000 ms", // not a card brand's prefix
      "id a4111111111111111", // inside a word
      "v1.4111111111111111",
      "4111111111111111.25",
      "4111 1111 1111 111" // 15 digits: not a Visa length
    ]
  },
  {
    detector: "iban",
    found: [
      ["iban DE89 3704 0044 0532 0130 00 EUR", "iban # EUR"],
      ["GB82WEST12345698765432", "#"],
      ["to NL91ABNA0417164300.", "to #."]
    ],
    kept: ["DE88 3704 0044 0532 0130 00", "XDE89370400440532013000", "de89370400440532013000", "AB12CDEF"]
  },
  {
    detector: "ssn",
    found: [
      ["ssn 078-05-1120.", "ssn #."],
      ["(123-45-6789)", "(#)"]
    ],
    kept: [
      "000-12-3456",
      "666-12-3456",
      "900-12-3456",
      "123-00-4567",
      "123-45-0000",
      "2024-01-15",
      "1-078-05-1120",
      "078-05-11201",
      "078051120"
    ]
  },
  {
    detector: "niNumber",
    found: [
      ["ni AB123456C", "ni #"],
      ["NI: AB 12 34 56 D.", "NI: #."]
    ],
    kept: ["QQ123456C", "GB123456A", "AB123456E", "XAB123456C", "AB1234567C", "AB 12 3456 C"]
  },
  {
    detector: "jwt",
    found: [
      ["t eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.abcDEF_-123 ok", "t # ok"],
      ["alg none eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.", "alg none #"]
    ],
    kept: ["eyJhbGciOiJIUzI1NiJ9", "keyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.sig", "eyJ.eyJ.x"]
  },
  {
    detector: "bearer",
    found: [
      ["Authorization: Bearer abc123.def-456_ghi", "Authorization: Bearer #"],
      ["bearer  dGVzdDp0b2tlbg==", "bearer  #"]
    ],
    kept: ["the bearer of bad news", "Bearer short1", "Bearer onlyletterswithoutanydigit"]
  },
  {
    detector: "apiKey",
    found: [
      ["aws AKIAIOSFODNN7EXAMPLE", "aws #"],
      ["ghp_0123456789abcdefghijABCDEFGHIJ012345", "#"],
      ["sk_live_4eC39HqLyjWDarjtT1zdp7dc", "#"],
      ["xoxb-123456789012-abcdefABCDEF", "#"],
      ["?api_key=abcdef123456&u=1", "?api_key=#&u=1"],
      ['{"client_secret": "s3cr3t-value"}', '{"client_secret": "#"}'],
      ["DB_PASSWORD=hunter22!", "DB_PASSWORD=#"]
    ],
    kept: [
      "AKIAIOSFODNN7EXAMPL",
      "api_key rotated",
      "token=[REDACTED]",
      "password: ***",
      "token: expired",
      "monkey=banana123",
      "ghp_short"
    ]
  },
  {
    detector: "urlCredentials",
    found: [
      ["postgres://admin:s3cr3t@db:5432/app", "postgres://admin:#@db:5432/app"],
      ["https://TOKEN123@github.com/x.git", "https://#@github.com/x.git"],
      ["redis://:pw@cache", "redis://:#@cache"]
    ],
    kept: ["https://example.com/a@b", "https://example.com/?u=a@b.com", "mailto:ada@example.com"]
  },
  {
    detector: "ipv4",
    found: [
      ["from 192.168.1.20:443", "from #:443"],
      ["10.0.0.1.", "#."]
    ],
    kept: ["version 1.2.3", "256.1.1.1", "1.2.3.4.5", "01.2.3.4", "v10.0.0.1"]
  },
  {
    detector: "ipv6",
    found: [
      ["peer 2001:db8::8a2e:370:7334 up", "peer # up"],
      ["fe80::1", "#"],
      ["::ffff:192.0.2.128", "#"]
    ],
    kept: ["12:30:45", "a:b:c", "1:2:3:4:5:6:7:8:9", "2001:db8::1::2", "std::vector"]
  }
]

describe("detectors", () => {
  for (const c of cases)
    describe(c.detector, () => {
      const scrub = only(c.detector)
      it("finds its matches, and replaces exactly them", () => {
        for (const [input, output] of c.found) assert.strictEqual(scrub(input), output, input)
      })
      it("leaves near misses alone", () => {
        for (const input of c.kept) assert.strictEqual(scrub(input), input, input)
      })
    })

  it("checks Luhn, mod-97 and IPv6 forms", () => {
    assert.isTrue(luhn("4111111111111111", 0, 16))
    assert.isFalse(luhn("4111111111111112", 0, 16))
    assert.isTrue(ibanChecksum("GB82WEST12345698765432"))
    assert.isFalse(ibanChecksum("GB83WEST12345698765432"))
    assert.isFalse(ibanChecksum("GB82"))
    assert.isTrue(isIpv6("1:2:3:4:5:6:7:8", 0, 15))
    assert.isTrue(isIpv6("::", 0, 2))
    assert.isFalse(isIpv6("1:2:3:4:5:6:7", 0, 13))
  })
})
