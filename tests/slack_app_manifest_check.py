#!/usr/bin/python3
"""Validates manifests/slack-app.yaml against Slack's official app manifest schema (draft-07).

Usage: slack_app_manifest_check.py MANIFEST SCHEMA
Exit 0: valid. Exit 1: invalid, with every violation printed. Exit 77: the schema file is absent
(it lives beside the repository in ../shared/slack/manifest-schema/), reported as skipped.
"""
import json
import os
import sys

import jsonschema
import yaml


def main() -> int:
    manifest_path, schema_path = sys.argv[1], sys.argv[2]
    if not os.path.exists(schema_path):
        print(f"SKIP: Slack's manifest schema is not at {schema_path}")
        return 77
    with open(schema_path, encoding="utf-8") as f:
        schema = json.load(f)
    with open(manifest_path, encoding="utf-8") as f:
        manifest = yaml.safe_load(f)

    validator = jsonschema.Draft7Validator(schema)
    errors = sorted(validator.iter_errors(manifest), key=lambda e: list(e.absolute_path))
    for e in errors:
        where = "/".join(str(p) for p in e.absolute_path) or "(top level)"
        print(f"{manifest_path}: {where}: {e.message}")

    # What Checkpoint itself relies on, beyond the schema.
    problems = []
    commands = [c.get("command") for c in manifest.get("features", {}).get("slash_commands", [])]
    if "/checkpoint" not in commands:
        problems.append("features.slash_commands must define /checkpoint")
    if "app_home_opened" not in manifest.get("settings", {}).get("event_subscriptions", {}).get("bot_events", []):
        problems.append("settings.event_subscriptions.bot_events must include app_home_opened")
    if not manifest.get("features", {}).get("app_home", {}).get("home_tab_enabled"):
        problems.append("features.app_home.home_tab_enabled must be true")
    for url in (manifest["settings"]["interactivity"].get("request_url"),
                manifest["settings"]["event_subscriptions"].get("request_url")):
        if url != "https://checkpoint.example.com/slack/events":
            problems.append(f"request URLs must point at https://checkpoint.example.com/slack/events, got {url}")
    for p in problems:
        print(f"{manifest_path}: {p}")

    if errors or problems:
        return 1
    print(f"{manifest_path}: valid against {os.path.basename(schema_path)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
