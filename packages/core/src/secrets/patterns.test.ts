import { describe, expect, it } from "vitest";
import { SECRET_RULES } from "./patterns.ts";
import { scanText } from "./scan.ts";
import {
  ALNUM,
  AWS_EXAMPLE_KEY_ID,
  AWS_EXAMPLE_SECRET,
  BASE64,
  BASE64URL,
  fakeChars,
  fakePem,
  UPPER_ALNUM,
} from "./test-support.ts";

const rulesHit = (path: string, content: string) => scanText(path, content).map((f) => f.rule);

// Each case: a file, its content, the rule expected to fire and the secret it holds.
const positives: { name: string; path?: string; content: string; rule: string; secret: string }[] = [];
const add = (name: string, rule: string, secret: string, content = `value = ${secret}\n`, path?: string) =>
  positives.push({ name, rule, secret, content, path });

add(
  "AWS example key id",
  "aws-access-key-id",
  AWS_EXAMPLE_KEY_ID,
  `aws_access_key_id = ${AWS_EXAMPLE_KEY_ID}\n`,
);
add("AWS session key id", "aws-access-key-id", `ASIA${fakeChars(UPPER_ALNUM, 16, 2)}`);
add(
  "AWS example secret in credentials file",
  "aws-secret-access-key",
  AWS_EXAMPLE_SECRET,
  `[default]\naws_secret_access_key = ${AWS_EXAMPLE_SECRET}\n`,
);
add(
  "AWS secret in env form",
  "aws-secret-access-key",
  AWS_EXAMPLE_SECRET,
  `export AWS_SECRET_ACCESS_KEY="${AWS_EXAMPLE_SECRET}"\n`,
);
add(
  "AWS secret in JSON",
  "aws-secret-access-key",
  fakeChars(BASE64, 40, 3),
  `{"AccessKeyId": "x", "SecretAccessKey": "${fakeChars(BASE64, 40, 3)}"}\n`,
);
add(
  "AWS secret by context only",
  "aws-secret-access-key-candidate",
  AWS_EXAMPLE_SECRET,
  `// AWS credentials for the test bucket\nconst id = readId();\nconst key = "${AWS_EXAMPLE_SECRET}";\n`,
);
for (const prefix of ["ghp_", "gho_", "ghu_", "ghs_", "ghr_"]) {
  add(`GitHub ${prefix}`, "github-token", prefix + fakeChars(ALNUM, 36, prefix.charCodeAt(2)));
}
add(
  "GitHub fine-grained PAT",
  "github-token",
  `github_pat_${fakeChars(ALNUM, 22, 4)}_${fakeChars(ALNUM, 59, 5)}`,
);
for (const prefix of ["glpat-", "gldt-", "glrt-"]) {
  add(`GitLab ${prefix}`, "gitlab-token", prefix + fakeChars(`${ALNUM}_-`, 20, prefix.length));
}
for (const prefix of ["xoxb-", "xoxp-", "xoxa-", "xoxr-", "xoxs-"]) {
  add(
    `Slack ${prefix}`,
    "slack-token",
    `${prefix}${fakeChars("0123456789", 12, 6)}-${fakeChars("0123456789", 12, 7)}-${fakeChars(ALNUM, 24, 8)}`,
  );
}
add(
  "Slack webhook",
  "slack-webhook",
  `hooks.slack.com/services/T${fakeChars(UPPER_ALNUM, 8, 9)}/B${fakeChars(UPPER_ALNUM, 8, 10)}/${fakeChars(ALNUM, 24, 11)}`,
);
for (const kind of ["", "RSA ", "EC ", "DSA ", "OPENSSH ", "ENCRYPTED "]) {
  const pem = fakePem(kind);
  add(`private key ${kind || "PKCS#8"}`, "private-key", pem.split("\n")[1]!, `${pem}\n`, "id_key");
}
add(
  "PGP private key block",
  "private-key",
  fakeChars(BASE64, 64, 12),
  `${["-----BEGIN PGP PRIVATE KEY BLOCK-----", "Version: GnuPG v2", ""].join("\n")}\n${fakeChars(BASE64, 64, 12)}\n`,
);
add(
  "escaped PEM in JSON",
  "private-key",
  fakeChars(BASE64, 64, 13),
  `{"private_key": "-----BEGIN PRIVATE KEY-----\\n${fakeChars(BASE64, 64, 13)}\\n"}\n`,
);
add("Stripe secret key", "stripe-live-key", `sk_live_${fakeChars(ALNUM, 24, 14)}`);
add("Stripe restricted key", "stripe-live-key", `rk_live_${fakeChars(ALNUM, 24, 15)}`);
add("Google API key", "google-api-key", `AIza${fakeChars(BASE64URL, 35, 16)}`);
add("npm token", "npm-token", `npm_${fakeChars(ALNUM, 36, 17)}`);
add("OpenAI key", "openai-api-key", `sk-${fakeChars(ALNUM, 48, 18)}`);
add("OpenAI project key", "openai-api-key", `sk-proj-${fakeChars(BASE64URL, 120, 19)}`);
add("Anthropic key", "anthropic-api-key", `sk-ant-api03-${fakeChars(BASE64URL, 93, 20)}AA`);
add("Micelio token", "micelio-token", `mic_${fakeChars(BASE64URL, 40, 21)}`);
add(
  "generic password",
  "generic-secret",
  fakeChars(ALNUM, 20, 22),
  `const dbPassword = "${fakeChars(ALNUM, 20, 22)}";\n`,
);
add(
  "generic env token",
  "generic-secret",
  fakeChars(ALNUM, 32, 23),
  `API_TOKEN=${fakeChars(ALNUM, 32, 23)}\n`,
);
add(
  "generic YAML secret",
  "generic-secret",
  fakeChars(ALNUM, 24, 24),
  `client_secret: '${fakeChars(ALNUM, 24, 24)}'\n`,
);
add(
  "generic api-key in JSON",
  "generic-secret",
  fakeChars(BASE64, 28, 25),
  `{"api-key": "${fakeChars(BASE64, 28, 25)}"}\n`,
);

describe("secret rules: true positives", () => {
  it.each(positives)("detects $name", ({ path, content, rule, secret }) => {
    const findings = scanText(path ?? "src/config.ts", content);
    expect(findings.map((f) => f.rule)).toContain(rule);
    expect(JSON.stringify(findings)).not.toContain(secret);
  });

  it("has a true positive for every rule", () => {
    const covered = new Set(positives.map((p) => p.rule));
    for (const rule of SECRET_RULES) expect(covered, rule.id).toContain(rule.id);
  });

  it("reports AWS's documented example key and secret", () => {
    const content = `aws_access_key_id=${AWS_EXAMPLE_KEY_ID}\naws_secret_access_key=${AWS_EXAMPLE_SECRET}\n`;
    expect(rulesHit(".aws/credentials", content)).toEqual(["aws-access-key-id", "aws-secret-access-key"]);
  });

  it("reports a key that overlaps two rules once, under the more specific one", () => {
    const key = `sk-ant-api03-${fakeChars(BASE64URL, 93, 26)}AA`;
    expect(rulesHit("a.env", `ANTHROPIC_API_KEY="${key}"\n`)).toEqual(["anthropic-api-key"]);
  });
});

const negatives: { name: string; content: string }[] = [
  {
    name: "ordinary code",
    content: [
      'import { createToken } from "./tokens.ts";',
      "export async function login(password: string, confirmPassword: string) {",
      "  if (password === confirmPassword) return null;",
      "  const token = await createToken(db, user, input, actor);",
      "  const apiKey = config.apiKey;",
      "  const secretName = 'my-app-production-database-credentials';",
      "  const tokenCount = tokens.length; // counts tokens",
      '  const tokenizer = "bert-base-uncased-v2";',
      '  const token_url = "https://oauth2.googleapis.com/token";',
      '  return { token, className: "sk-some-long-identifier-name-for-a-component" };',
      "}",
    ].join("\n"),
  },
  {
    name: "UUIDs",
    content:
      'id: "550e8400-e29b-41d4-a716-446655440000"\nrequest_id = 6fa459ea-ee8a-3ca4-894e-db77e160355e\n',
  },
  {
    name: "git SHAs, even next to AWS",
    content:
      "commit da39a3ee5e6b4b0d3255bfef95601890afd80709\n// aws: reverted in 2fd4e1c67a2d28fced849ee1bb76e7391b93eb12\n",
  },
  {
    name: "base64 image in markdown",
    content:
      "# AWS architecture\n\n![AWS diagram](data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==)\n",
  },
  { name: "password = changeme", content: 'password = "changeme"\nPASSWORD=changeme\n' },
  {
    name: "token from the environment",
    content: "token: process.env.TOKEN\nconst secret = process.env.SESSION_SECRET;\n",
  },
  {
    name: "placeholders and references",
    content: [
      'api_key = "<your-api-key-here>"',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal ${VAR} placeholder under test
      'secret: "${SECRET_VALUE_FROM_ENVIRONMENT}"',
      'password = os.environ["DB_PASSWORD"]',
      "auth_token = os.environ.get('AUTH_TOKEN_FOR_SERVICE')",
      "API_TOKEN=xxxxxxxxxxxxxxxxxxxxxxxx",
      'secret = "abcdefghijklmnopqrstuvwxyz"',
      'password: "aaaaaaaaaaaaaaaaaaaaaa"',
      'password: "1234567890123456789"',
      "token: {{ .Values.token }}",
      `github: ghp_${"x".repeat(36)}`,
      `aws_access_key_id = AKIA${"X".repeat(16)}`,
      'api_key: "YOUR_API_KEY_GOES_HERE_123"',
    ].join("\n"),
  },
  {
    name: "hex color codes",
    content: ".btn { color: #ff00ff; background: #1a2b3c; border-color: #ABCDEF; }\n",
  },
  {
    name: "lorem ipsum",
    content:
      "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris.\n",
  },
  {
    name: "a private key header without key material",
    content: 'if (pem.startsWith("-----BEGIN RSA PRIVATE KEY-----")) return parseRsa(pem);\n',
  },
  {
    name: "a Micelio token prefix in an identifier",
    content: "const mic_session_landing_handler_for_forge_x = 1;\n",
  },
];

describe("secret rules: true negatives", () => {
  it.each(negatives)("ignores $name", ({ content }) => {
    expect(scanText("src/example.ts", content)).toEqual([]);
  });
});
