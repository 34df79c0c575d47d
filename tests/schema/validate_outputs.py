#!/usr/bin/env python3
"""Checks the JSON Schema files of schema/ and every JSON output the test suite kept against them.

Usage: validate_outputs.py [--all-invalid] SCHEMA_DIR OUTPUT_DIR

With --all-invalid, every output must break its schema (a check of this check, over
testdata/schema-outputs/invalid/).

OUTPUT_DIR holds what tests/support/run_process.cpp kept: for each run of the program with
--format json or jsonl, its standard output in a file and its command line beside it (.argv,
each argument ended by a NUL). The command line says which schema the output follows:

  generate --format json       generate.schema.json
  lint --format json           lint-result.schema.json
  check --format jsonl         check-result.schema.json, each line
  check --format json -f FILE  check-list.schema.json
  check --format json          check-result.schema.json (one domain) or
                               check-results.schema.json (several: an array)
"""

import json
import pathlib
import shlex
import sys

import jsonschema

COMMANDS = ("check", "lint", "generate")


def load_schemas(directory):
    """Each schema by file name, with its file URI as $id: references between the files are
    relative to where they are."""
    schemas = {}
    for path in sorted(directory.glob("*.schema.json")):
        schema = json.loads(path.read_text())
        jsonschema.Draft202012Validator.check_schema(schema)
        schemas[path.name] = dict(schema, **{"$id": path.resolve().as_uri()})
    return schemas


def validator_for(schemas, name):
    schema = schemas[name]
    try:  # jsonschema 4.18 and later
        import referencing
        import referencing.jsonschema

        registry = referencing.Registry().with_resources(
            (document["$id"], referencing.Resource(document, referencing.jsonschema.DRAFT202012))
            for document in schemas.values())
        return jsonschema.Draft202012Validator(schema, registry=registry)
    except ImportError:  # Debian 12: jsonschema 4.10
        store = {document["$id"]: document for document in schemas.values()}
        resolver = jsonschema.RefResolver.from_schema(schema, store=store)
        return jsonschema.Draft202012Validator(schema, resolver=resolver)


def words_of(argv):
    """The command line as words, scripts of `sh -c` split as the shell would."""
    words = []
    for argument in argv:
        try:
            words.extend(shlex.split(argument))
        except ValueError:
            words.extend(argument.split())
    return words


def shape_of(argv):
    """(command, format, whether a list is read) of the tlsrpt-check run in argv."""
    words = words_of(argv)
    start = next(i for i, word in enumerate(words) if word.endswith("tlsrpt-check"))
    words = words[start + 1:]
    command = words[0] if words and words[0] in COMMANDS else "check"
    output_format = None
    for i, word in enumerate(words):
        if word == "--format" and i + 1 < len(words):
            output_format = words[i + 1]
        elif word.startswith("--format="):
            output_format = word[len("--format="):]
    listed = any(word in ("-f", "--file") or word.startswith("--file=") for word in words)
    return command, output_format, listed


def documents_of(command, output_format, listed, text):
    """(schema file name, document) for each JSON document of an output."""
    if output_format == "jsonl":
        return [("check-result.schema.json", json.loads(line)) for line in text.splitlines()]
    document = json.loads(text)
    if command == "generate":
        return [("generate.schema.json", document)]
    if command == "lint":
        return [("lint-result.schema.json", document)]
    if listed:
        return [("check-list.schema.json", document)]
    if isinstance(document, list):
        return [("check-results.schema.json", document)]
    return [("check-result.schema.json", document)]


def problems_of(output, validators, checked):
    """What is wrong with one kept output, as lines to print."""
    arguments = output.with_name(output.name + ".argv").read_bytes()
    argv = arguments.decode(errors="replace").split("\0")[:-1]
    problems = []
    try:
        for name, document in documents_of(*shape_of(argv), output.read_text()):
            checked[name] += 1
            for error in list(validators[name].iter_errors(document))[:3]:
                path = "/".join(str(part) for part in error.absolute_path)
                problems.append(f"{output.name} ({name}) at /{path}: {error.message}\n  {argv}")
    except (ValueError, StopIteration) as error:
        problems.append(f"{output.name}: not JSON of a known shape: {error}\n  {argv}")
    return problems


def main():
    all_invalid = sys.argv[1] == "--all-invalid"
    schema_dir, output_dir = (pathlib.Path(arg) for arg in sys.argv[1 + all_invalid:])
    schemas = load_schemas(schema_dir)
    validators = {name: validator_for(schemas, name) for name in schemas}
    checked = {name: 0 for name in schemas}
    failures = 0
    outputs = sorted(p for p in output_dir.glob("output-*") if p.suffix != ".argv")
    for output in outputs:
        problems = problems_of(output, validators, checked)
        if all_invalid and not problems:
            failures += 1
            print(f"{output.name}: expected to break its schema, but matches it")
        elif not all_invalid:
            failures += len(problems)
            print("\n".join(problems), end="\n" if problems else "")
    print(f"{len(outputs)} outputs, documents per schema: {checked}")
    if failures:
        print(f"{failures} problem(s)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
