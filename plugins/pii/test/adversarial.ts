/**
 * Adversarial inputs of 100 KB for each detector: long runs of the characters it consumes,
 * its trigger repeated without ever completing a match, and near-matches packed together.
 * A backtracking pattern would take quadratic time or worse on most of these; the scanners
 * read each character a bounded number of times. The fuzz test checks what they return,
 * and the bench (`BENCH_ONLY=pii npm run bench`) reports the worst time per event.
 */
export const SIZE = 100 * 1024

const fill = (unit: string): string => unit.repeat(Math.ceil(SIZE / unit.length)).slice(0, SIZE)

/** Per detector, inputs in which it must find nothing. */
export const adversarial: Readonly<Record<string, ReadonlyArray<string>>> = {
  email: [fill("a"), fill("a@"), fill("a.a@a."), fill("x@y-"), fill("a@a.a@"), fill("\u0000a")],
  card: [fill("4"), fill("4 "), fill("4-4 "), fill("4111 1111 1111 111"), fill("1.4")],
  iban: [fill("AB12"), fill("DE89 "), fill("GB82WEST1234569876543 ")],
  ssn: [fill("078-05-"), fill("1-1-1"), fill("000-00-0000-")],
  niNumber: [fill("AB12 34 "), fill("AB123456"), fill("AB 12 34 56 ")],
  jwt: [fill("eyJ"), fill("eyJ."), fill("eyJhbGciOiJIUzI1NiJ9.."), fill("eyJ-")],
  bearer: [fill("Bearer "), fill("bearer abc "), fill("Bearer")],
  apiKey: [
    fill("api_key=&"),
    fill("password:;"),
    fill("a="),
    fill("AKIA"),
    fill("ghp_"),
    fill("x_"),
    fill("xoxb")
  ],
  urlCredentials: [fill("a://"), fill("://@"), fill("a://b:"), fill(":")],
  ipv4: [fill("1."), fill("255.255.255."), fill("1.1.1.1.")],
  ipv6: [fill(":"), fill("a:"), fill("::a::"), fill("ffff:")]
}

/** What a needle becomes, censored: the whole match, but for the part a detector keeps. */
export const scrubbed = (detector: string): string =>
  detector === "bearer"
    ? "Bearer [REDACTED:bearer]"
    : detector === "urlCredentials"
      ? "https://u:[REDACTED:urlCredentials]@example.com"
      : `[REDACTED:${detector}]`

/** Per detector, a match: put after 100 KB of its near misses, it is still found. */
export const needles: Readonly<Record<string, string>> = {
  email: "ada@example.com",
  card: "4111 1111 1111 1111",
  iban: "GB82WEST12345698765432",
  ssn: "078-05-1120",
  niNumber: "AB123456C",
  jwt: "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.abcDEF_-123",
  bearer: "Bearer abc123.def-456_ghi",
  apiKey: "AKIAIOSFODNN7EXAMPLE",
  urlCredentials: "https://u:pw@example.com",
  ipv4: "192.168.1.20",
  ipv6: "2001:db8::8a2e:370:7334"
}
