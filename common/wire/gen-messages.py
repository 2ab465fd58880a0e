#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Turns the message schemas in common/wire/schema/ (*.msg files) into C.

Usage:
  gen-messages.py --check FILE...            validate, print problems, exit 1 on any
  gen-messages.py --header OUT.h --source OUT.c FILE...
  gen-messages.py --doc docs/protocol.md [--update] FILE...
                                             check (or rewrite) the API table
                                             between the api-table markers

The schema format is described in docs/wire-schema.md. The output holds one
C struct per message and nested struct, and one descriptor table per struct
that the generic codec (caudal-codec.c) walks. No encoding logic is emitted.
"""

import argparse
import re
import sys

PRIMITIVES = {
    # schema type: (C type, CAUDAL_FIELD_* suffix, may be null)
    "int8": ("gint8", "INT8", False),
    "int16": ("gint16", "INT16", False),
    "int32": ("gint32", "INT32", False),
    "int64": ("gint64", "INT64", False),
    "uint16": ("guint16", "UINT16", False),
    "uint32": ("guint32", "UINT32", False),
    "float64": ("gdouble", "FLOAT64", False),
    "bool": ("gboolean", "BOOL", False),
    "uuid": ("CaudalUuid", "UUID", False),
    "string": ("char *", "STRING", True),
    "bytes": ("CaudalBytes", "BYTES", True),
    "records": ("CaudalBytes", "RECORDS", True),
}

C_KEYWORDS = {
    "auto", "break", "case", "char", "const", "continue", "default", "do",
    "double", "else", "enum", "extern", "float", "for", "goto", "if",
    "inline", "int", "long", "register", "restrict", "return", "short",
    "signed", "sizeof", "static", "struct", "switch", "typedef", "union",
    "unsigned", "void", "volatile", "while", "bool", "true", "false",
}

OPEN_MAX = 0x7FFF


class SchemaError(Exception):
    pass


class Field:
    def __init__(self, name, type_, line):
        self.name = name
        self.type = type_  # primitive name or struct name
        self.is_array = False
        self.is_struct = False
        self.versions = None  # (min, max)
        self.nullable = None  # (min, max) or None
        self.tag = None
        self.default = None  # raw text
        self.children = []
        self.line = line


class Message:
    def __init__(self, kind):
        self.kind = kind  # "request" / "response"
        self.fields = []


class Api:
    def __init__(self, path):
        self.path = path
        self.key = None
        self.name = None
        self.min = None
        self.max = None
        self.flex = None  # first flexible version, or None
        self.request = None
        self.response = None


def parse_versions(text, lo, hi, where):
    """'3+', '3-7', '5' or 'none' → (min, max) clamped to the API's range."""
    if text == "none":
        return (1, 0)
    m = re.fullmatch(r"(\d+)(\+|-(\d+))?", text)
    if not m:
        raise SchemaError(f"{where}: bad version range '{text}'")
    vmin = int(m.group(1))
    if m.group(2) is None:
        vmax = vmin
    elif m.group(2) == "+":
        vmax = hi
    else:
        vmax = int(m.group(3))
    if vmin > vmax:
        raise SchemaError(f"{where}: empty version range '{text}'")
    if vmin < lo or vmax > hi:
        raise SchemaError(f"{where}: versions {text} outside {lo}-{hi}")
    return (vmin, vmax)


def within(inner, outer):
    if inner[0] > inner[1]:
        return True  # empty
    return outer[0] <= inner[0] and inner[1] <= outer[1]


def parse_file(path):
    api = Api(path)
    with open(path, encoding="utf-8") as f:
        lines = f.readlines()

    current = None  # Message
    stack = []  # (indent, Field)
    for lineno, raw in enumerate(lines, 1):
        where = f"{path}:{lineno}"
        text = raw.split("#", 1)[0].rstrip()
        if not text.strip():
            continue
        if "\t" in text:
            raise SchemaError(f"{where}: tabs are not allowed, indent with spaces")
        indent = len(text) - len(text.lstrip(" "))
        words = text.split()

        if indent == 0:
            if words[0] == "api":
                m = re.fullmatch(r"api (\d+) ([A-Z][A-Za-z0-9]*) versions (\d+)-(\d+) flexible (none|\d+\+)",
                                 " ".join(words))
                if not m or api.key is not None:
                    raise SchemaError(f"{where}: expected one 'api KEY Name versions MIN-MAX flexible N+|none'")
                api.key = int(m.group(1))
                api.name = m.group(2)
                api.min, api.max = int(m.group(3)), int(m.group(4))
                if api.min > api.max:
                    raise SchemaError(f"{where}: empty version range")
                api.flex = None if m.group(5) == "none" else int(m.group(5)[:-1])
                if api.flex is not None and api.flex > api.max:
                    raise SchemaError(f"{where}: flexible version beyond the range; say 'flexible none'")
                continue
            if words in (["request"], ["response"]):
                if api.key is None:
                    raise SchemaError(f"{where}: the 'api' line must come first")
                if getattr(api, words[0]) is not None:
                    raise SchemaError(f"{where}: second '{words[0]}' section")
                current = Message(words[0])
                setattr(api, words[0], current)
                stack = []
                continue
            raise SchemaError(f"{where}: expected 'api', 'request' or 'response'")

        if current is None:
            raise SchemaError(f"{where}: field outside a request/response section")
        if indent % 2:
            raise SchemaError(f"{where}: indent by 2 spaces per level")
        level = indent // 2 - 1
        while stack and stack[-1][0] >= level:
            stack.pop()
        if len(stack) != level:
            raise SchemaError(f"{where}: indented too deep")
        parent = stack[-1][1] if stack else None
        if parent is not None and not parent.is_struct:
            raise SchemaError(f"{where}: '{parent.name}' is not a struct and cannot have fields")

        if len(words) < 2:
            raise SchemaError(f"{where}: a field needs a name and a type")
        name, type_ = words[0], words[1]
        if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
            raise SchemaError(f"{where}: field name '{name}' must be snake_case")
        if name in C_KEYWORDS or name.startswith("n_"):
            raise SchemaError(f"{where}: field name '{name}' clashes with C or with array counts")
        field = Field(name, type_, where)
        m = re.fullmatch(r"\[(\w+)\]", type_)
        if m:
            field.is_array = True
            field.type = m.group(1)
        if field.type not in PRIMITIVES:
            if not re.fullmatch(r"[A-Z][A-Za-z0-9]*", field.type):
                raise SchemaError(f"{where}: unknown type '{type_}'")
            field.is_struct = True

        opts = words[2:]
        if len(opts) % 2:
            raise SchemaError(f"{where}: options come in pairs (versions V, nullable V, tag N, default D)")
        parent_versions = parent.versions if parent else (api.min, api.max)
        for key, value in zip(opts[0::2], opts[1::2]):
            if key == "versions":
                field.versions = parse_versions(value, api.min, api.max, where)
            elif key == "nullable":
                field.nullable = parse_versions(value, api.min, api.max, where)
            elif key == "tag":
                if not value.isdigit():
                    raise SchemaError(f"{where}: tag must be a number")
                field.tag = int(value)
            elif key == "default":
                field.default = value
            else:
                raise SchemaError(f"{where}: unknown option '{key}'")
        if field.versions is None:
            field.versions = parent_versions
        if not within(field.versions, parent_versions):
            raise SchemaError(f"{where}: versions of '{name}' lie outside its parent's")
        if field.nullable is not None:
            if not within(field.nullable, field.versions):
                raise SchemaError(f"{where}: nullable versions of '{name}' lie outside its versions")
            if not field.is_array and (field.is_struct or not PRIMITIVES[field.type][2]):
                raise SchemaError(f"{where}: only strings, bytes, records and arrays can be nullable")
        if field.tag is not None:
            if api.flex is None or field.versions[0] < api.flex:
                raise SchemaError(f"{where}: tagged field '{name}' in non-flexible versions")
        check_default(field, where)

        if parent is None:
            current.fields.append(field)
        else:
            parent.children.append(field)
        stack.append((level, field))

    if api.key is None or api.request is None or api.response is None:
        raise SchemaError(f"{path}: needs an 'api' line and both 'request' and 'response' sections")
    for msg in (api.request, api.response):
        check_struct(api, msg, msg.fields, f"{path} ({msg.kind})")
        names = {}
        for f in walk_structs(msg.fields):
            if f.type in names:
                raise SchemaError(f"{f.line}: struct name '{f.type}' used twice in the {msg.kind}")
            names[f.type] = f
    return api


def check_default(field, where):
    d = field.default
    if d is None:
        return
    if field.is_array or field.is_struct:
        if d != "null":
            raise SchemaError(f"{where}: arrays and structs only take 'default null'")
        if field.is_struct and not field.is_array:
            raise SchemaError(f"{where}: structs cannot be null")
        return
    t = field.type
    if t == "bool":
        if d not in ("true", "false"):
            raise SchemaError(f"{where}: bool default must be true or false")
    elif t in ("string", "bytes", "records"):
        if d not in ("null", '""'):
            raise SchemaError(f'{where}: {t} default must be null or ""')
    elif t in ("uuid", "float64"):
        raise SchemaError(f"{where}: no defaults for {t}")
    else:
        if not re.fullmatch(r"-?\d+", d):
            raise SchemaError(f"{where}: integer default expected")


def check_struct(api, msg, fields, where):
    seen = set()
    tags = set()
    for f in fields:
        if f.name in seen:
            raise SchemaError(f"{f.line}: field '{f.name}' declared twice")
        seen.add(f.name)
        if f.tag is not None:
            if f.tag in tags:
                raise SchemaError(f"{f.line}: tag {f.tag} used twice")
            tags.add(f.tag)
        if f.is_struct:
            if not f.children:
                raise SchemaError(f"{f.line}: struct '{f.type}' has no fields")
            check_struct(api, msg, f.children, where)
        elif f.children:
            raise SchemaError(f"{f.line}: only structs have nested fields")


def walk_structs(fields):
    for f in fields:
        if f.is_struct:
            yield f
            yield from walk_structs(f.children)


# ---- C output ----

def snake(name):
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", s)
    return s.lower()


def type_name(api, msg, struct=None):
    base = f"Caudal{api.name}{msg.kind.capitalize()}"
    return base + (struct or "")


def desc_name(api, msg, struct=None):
    return snake(type_name(api, msg, struct)) + "_desc"


def c_member(api, msg, f):
    if f.is_struct:
        ctype = type_name(api, msg, f.type)
    else:
        ctype = PRIMITIVES[f.type][0]
    if f.is_array:
        star = "*" if ctype.endswith("*") else " *"
        return [f"gint32 n_{f.name};", f"{ctype}{star}{f.name};"]
    sep = "" if ctype.endswith("*") else " "
    return [f"{ctype}{sep}{f.name};"]


def versions_comment(api, f):
    parts = []
    lo, hi = f.versions
    if (lo, hi) != (api.min, api.max):
        parts.append("versions " + ("none" if lo > hi else f"{lo}-{hi}"))
    if f.nullable:
        parts.append(f"nullable {f.nullable[0]}-{f.nullable[1]}")
    if f.tag is not None:
        parts.append(f"tag {f.tag}")
    return f" /* {', '.join(parts)} */" if parts else ""


def emit_structs(api, msg, fields, struct, out_h):
    """Emit nested structs first (post-order) so each type is complete."""
    for f in fields:
        if f.is_struct:
            emit_structs(api, msg, f.children, f.type, out_h)
    tname = type_name(api, msg, struct)
    out_h.append(f"typedef struct _{tname} {tname};")
    out_h.append(f"struct _{tname}\n{{")
    if not fields:
        out_h.append("  guint8 unused_; /* no fields: keep the struct non-empty */")
    for f in fields:
        members = c_member(api, msg, f)
        for i, mem in enumerate(members):
            comment = versions_comment(api, f) if i == len(members) - 1 else ""
            out_h.append(f"  {mem}{comment}")
    out_h.append("};\n")


def c_default(f):
    """(default_int, default_null) for the descriptor."""
    if f.is_array or f.is_struct:
        if f.default == "null":
            return ("0", "TRUE")
        return ("0", "TRUE" if (f.nullable and f.is_array and f.default is None) else "FALSE")
    t = f.type
    if t in ("string", "bytes", "records"):
        if f.default == '""':
            return ("0", "FALSE")
        if f.default == "null":
            return ("0", "TRUE")
        return ("0", "TRUE" if f.nullable else "FALSE")
    if t == "bool":
        return ("1" if f.default == "true" else "0", "FALSE")
    if t in ("uuid", "float64"):
        return ("0", "FALSE")
    return (f.default or "0", "FALSE")


def emit_descs(api, msg, fields, struct, out_c, static=True):
    for f in fields:
        if f.is_struct:
            emit_descs(api, msg, f.children, f.type, out_c)
    tname = type_name(api, msg, struct)
    dname = desc_name(api, msg, struct)
    fname = dname.replace("_desc", "_fields")
    if fields:
        out_c.append(f"static const CaudalFieldDesc {fname}[] = {{")
        for f in fields:
            ftype = "STRUCT" if f.is_struct else PRIMITIVES[f.type][1]
            nmin, nmax = f.nullable if f.nullable else (1, 0)
            dint, dnull = c_default(f)
            child = "&" + desc_name(api, msg, f.type) if f.is_struct else "NULL"
            if f.is_array:
                off = f"G_STRUCT_OFFSET ({tname}, n_{f.name})"
                items = f"G_STRUCT_OFFSET ({tname}, {f.name})"
            else:
                off = f"G_STRUCT_OFFSET ({tname}, {f.name})"
                items = "0"
            tag = f.tag if f.tag is not None else -1
            dint_c = f"G_GINT64_CONSTANT ({dint})"
            out_c.append(
                f'  {{ "{f.name}", CAUDAL_FIELD_{ftype}, {"TRUE" if f.is_array else "FALSE"}, '
                f"{f.versions[0]}, {f.versions[1]}, {nmin}, {nmax}, {tag}, {off}, {items}, "
                f"{dint_c}, {dnull}, {child} }},")
        out_c.append("};")
    storage = "static const" if static else "const"
    fields_ref = fname if fields else "NULL"
    out_c.append(f'{storage} CaudalStructDesc {dname} = {{ "{tname}", sizeof ({tname}), '
                 f"{len(fields)}, {fields_ref} }};\n")


def generate(apis, header_path, source_path):
    out_h = [
        "/* SPDX-License-Identifier: LGPL-2.1-or-later */",
        "/* Generated by common/wire/gen-messages.py from common/wire/schema/ (*.msg files). Do not edit. */",
        "#pragma once",
        "",
        '#include "caudal-codec.h"',
        "",
        "G_BEGIN_DECLS",
        "",
        "/**",
        " * CaudalApiKey:",
        " *",
        " * The Kafka API keys this library describes.",
        " */",
        "typedef enum",
        "{",
    ]
    for api in apis:
        out_h.append(f"  CAUDAL_API_KEY_{snake(api.name).upper()} = {api.key},")
    out_h += ["} CaudalApiKey;", ""]

    for api in apis:
        out_h.append(f"/* {api.name} (key {api.key}), versions {api.min}-{api.max}, "
                     f"flexible {'from ' + str(api.flex) if api.flex is not None else 'never'} */")
        for msg in (api.request, api.response):
            emit_structs(api, msg, msg.fields, None, out_h)
            out_h.append(f"CAUDAL_WIRE_EXPORT const CaudalStructDesc {desc_name(api, msg)};\n")

    out_h += [
        "/* Every API above, sorted by key. */",
        "CAUDAL_WIRE_EXPORT const CaudalApiDesc caudal_api_table[];",
        f"#define CAUDAL_API_TABLE_LEN {len(apis)}",
        "",
        "G_END_DECLS",
        "",
    ]

    out_c = [
        "/* SPDX-License-Identifier: LGPL-2.1-or-later */",
        "/* Generated by common/wire/gen-messages.py from common/wire/schema/ (*.msg files). Do not edit. */",
        '#include "caudal-messages.h"',
        "",
    ]
    for api in apis:
        for msg in (api.request, api.response):
            emit_descs(api, msg, msg.fields, None, out_c, static=True)
            # the top-level descriptor is exported: re-declare without static
            last = out_c.pop()
            out_c.append(last.replace("static const CaudalStructDesc", "const CaudalStructDesc", 1))
    out_c.append("const CaudalApiDesc caudal_api_table[] = {")
    for api in apis:
        flex = api.flex if api.flex is not None else OPEN_MAX
        out_c.append(f'  {{ {api.key}, "{api.name}", {api.min}, {api.max}, {flex}, '
                     f"&{desc_name(api, api.request)}, &{desc_name(api, api.response)} }},")
    out_c += ["};", ""]

    with open(header_path, "w", encoding="utf-8") as f:
        f.write("\n".join(out_h))
    with open(source_path, "w", encoding="utf-8") as f:
        f.write("\n".join(out_c))


def load(paths):
    apis, errors = [], []
    for p in paths:
        try:
            apis.append(parse_file(p))
        except SchemaError as e:
            errors.append(str(e))
    keys = {}
    for api in apis:
        if api.key in keys:
            errors.append(f"{api.path}: API key {api.key} also in {keys[api.key].path}")
        keys[api.key] = api
    apis.sort(key=lambda a: a.key)
    return apis, errors


DOC_BEGIN = "<!-- api-table:begin (generated by common/wire/gen-messages.py --doc --update) -->"
DOC_END = "<!-- api-table:end -->"


def doc_table(apis):
    rows = ["| key | API | versions | flexible from | request header | response header |",
            "|---:|---|---|---|---|---|"]
    for api in apis:
        flex = str(api.flex) if api.flex is not None else "never"
        if api.flex is None:
            req_hdr = "v1"
        elif api.flex == api.min:
            req_hdr = "v2"
        else:
            req_hdr = f"v1 (v{api.min}-{api.flex - 1}), v2 (v{api.flex}+)"
        if api.key == 18:
            resp_hdr = "v0 always"
        elif api.flex is None:
            resp_hdr = "v0"
        elif api.flex == api.min:
            resp_hdr = "v1"
        else:
            resp_hdr = f"v0 (v{api.min}-{api.flex - 1}), v1 (v{api.flex}+)"
        rows.append(f"| {api.key} | {api.name} | {api.min}-{api.max} | {flex} | {req_hdr} | {resp_hdr} |")
    return "\n".join(rows)


def check_doc(apis, path, update):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if DOC_BEGIN not in text or DOC_END not in text:
        print(f"{path}: api-table markers missing", file=sys.stderr)
        return 1
    head, rest = text.split(DOC_BEGIN, 1)
    current, tail = rest.split(DOC_END, 1)
    wanted = "\n" + doc_table(apis) + "\n"
    if current == wanted:
        print(f"{path}: API table matches the schemas")
        return 0
    if update:
        with open(path, "w", encoding="utf-8") as f:
            f.write(head + DOC_BEGIN + wanted + DOC_END + tail)
        print(f"{path}: API table updated")
        return 0
    print(f"{path}: the API table differs from the schemas; run "
          f"common/wire/gen-messages.py --doc {path} --update common/wire/schema/*.msg", file=sys.stderr)
    return 1


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--header")
    ap.add_argument("--source")
    ap.add_argument("--doc")
    ap.add_argument("--update", action="store_true")
    ap.add_argument("files", nargs="+")
    args = ap.parse_args()

    apis, errors = load(args.files)
    for e in errors:
        print(e, file=sys.stderr)
    if errors:
        return 1
    if args.doc:
        return check_doc(apis, args.doc, args.update)
    if args.check:
        print(f"{len(apis)} schema file(s) OK")
        return 0
    if not args.header or not args.source:
        ap.error("--header and --source are required unless --check")
    generate(apis, args.header, args.source)
    return 0


if __name__ == "__main__":
    sys.exit(main())
