"""Reading SageMaker data capture and Model Monitor ground truth (JSON Lines).

Capture (https://docs.aws.amazon.com/sagemaker/latest/dg/model-monitor-data-capture-endpoint.html):
each line is one event,
`{"captureData": {"endpointInput": {"observedContentType", "mode": "INPUT", "data",
"encoding"}, "endpointOutput": {... "mode": "OUTPUT" ...}}, "eventMetadata": {"eventId",
"inferenceId"?, "inferenceTime"}, "eventVersion": "0"}`. `encoding` is `CSV` or `JSON`
(the payload as text) or `BASE64` (content types the endpoint was not told to capture as
CSV or JSON: the bytes, base64-encoded; decoded here and read by `observedContentType`).
A CSV payload may hold several rows (one request, several records).

Ground truth (https://docs.aws.amazon.com/sagemaker/latest/dg/model-monitor-model-quality-merge.html):
`{"groundTruthData": {"data": "1", "encoding": "CSV"}, "eventMetadata": {"eventId": ...},
"eventVersion": "0"}`, where `eventId` holds the captured event's inferenceId when the
caller set one, else its eventId; so an event's *key* is its inferenceId, or its eventId.

JSON payloads understood: a list of values (one row), a list of lists (rows), an object
of named values (one row), `{"instances": [...]}` or `{"features": [...]}` around these,
and for outputs a number or `{"predictions": [...]}`. A broken file raises `InputError`
naming the file and line: the job stops rather than monitor half the data.
"""

from __future__ import annotations

import base64
import binascii
import csv
import datetime
import io
import json
import pathlib
import re
from dataclasses import dataclass, field


class InputError(Exception):
    """Broken input (a file that is not what the job was told it is): exit code 1."""


@dataclass
class Event:
    """One captured request: its rows in (lists, or dicts of named values) and out."""

    key: str
    time: str
    inputs: list = field(default_factory=list)
    outputs: list = field(default_factory=list)


def jsonl_files(folder: str | pathlib.Path) -> list[pathlib.Path]:
    """Every `*.jsonl` under a folder (capture is sharded by hour), in a stable order."""
    root = pathlib.Path(folder)
    if root.is_file():
        return [root]
    if not root.is_dir():
        raise InputError(f"{root}: no such folder")
    return sorted(p for p in root.rglob("*.jsonl") if p.is_file())


def _lines(path: pathlib.Path):
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(f"{path}: cannot read: {err}") from None
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            raise InputError(f"{path}:{number}: not JSON: {err.msg}") from None
        if not isinstance(record, dict):
            raise InputError(f"{path}:{number}: expected a JSON object")
        yield f"{path}:{number}", record


def decode(payload, where: str):
    """A capture payload as rows: lists of values, or dicts of named values."""
    if not isinstance(payload, dict) or "data" not in payload:
        raise InputError(f"{where}: expected an object with 'data' and 'encoding'")
    data, encoding = payload["data"], str(payload.get("encoding", "CSV")).upper()
    kind = "json" if "json" in str(payload.get("observedContentType", "")).lower() else "csv"
    if encoding == "BASE64":
        try:
            data = base64.b64decode(str(data), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise InputError(f"{where}: 'data' is not base64-encoded UTF-8 text") from None
    elif encoding == "JSON":
        kind = "json"
    elif encoding != "CSV":
        raise InputError(f"{where}: unknown encoding {payload.get('encoding')!r} (CSV, JSON or BASE64)")
    if kind == "csv":
        if not isinstance(data, str):
            raise InputError(f"{where}: CSV data must be a string")
        return [row for row in csv.reader(io.StringIO(data)) if row]
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except json.JSONDecodeError as err:
            raise InputError(f"{where}: JSON data does not parse: {err.msg}") from None
    return json_rows(data, where)


def json_rows(data, where: str) -> list:
    if isinstance(data, dict):
        for wrapper in ("instances", "predictions", "features"):
            if wrapper in data and len(data) == 1:
                return json_rows(data[wrapper], where)
        return [data]
    if isinstance(data, list):
        if data and all(isinstance(item, (list, dict)) for item in data):
            rows = []
            for item in data:
                rows.extend(json_rows(item, where) if isinstance(item, dict) else [item])
            return rows
        return [data]
    if isinstance(data, (int, float, str)) and not isinstance(data, bool):
        return [[data]]
    raise InputError(f"{where}: unsupported JSON payload {type(data).__name__}")


def _key(record: dict, where: str) -> str:
    meta = record.get("eventMetadata")
    if not isinstance(meta, dict) or not (meta.get("inferenceId") or meta.get("eventId")):
        raise InputError(f"{where}: eventMetadata has no eventId")
    return str(meta.get("inferenceId") or meta["eventId"])


INSTANT = re.compile(r"(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:\.(\d+))?(Z|[+-]\d\d:?\d\d)?$")


def instant(text: str, where: str) -> datetime.datetime:
    """An ISO 8601 time (UTC when it names no offset), with any number of fraction digits."""
    match = INSTANT.match(str(text).strip())
    if not match:
        raise InputError(f"{where}: {text!r} is not an ISO 8601 time like 2026-11-30T10:00:00Z")
    parts = [int(match[i]) for i in range(1, 7)]
    micro = int((match[7] or "0")[:6].ljust(6, "0"))
    offset = match[8] or "Z"
    zone = datetime.timezone.utc
    if offset != "Z":
        sign = -1 if offset[0] == "-" else 1
        digits = offset[1:].replace(":", "")
        zone = datetime.timezone(sign * datetime.timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
    return datetime.datetime(*parts, micro, tzinfo=zone)


def window(config: dict) -> tuple[datetime.datetime | None, datetime.datetime | None]:
    """[start, end) of the events a run reads: the configuration's `window`, either
    {"start", "end"} (ISO 8601, either may be left out) or {"hours": n} ending at the
    run's `timestamp`; (None, None), every event, without one."""
    spec = config.get("window") or {}
    if not isinstance(spec, dict):
        raise InputError("configuration: window must be {\"start\", \"end\"} or {\"hours\"}")
    if "hours" in spec:
        end = instant(config["timestamp"], "configuration: timestamp")
        return end - datetime.timedelta(hours=float(spec["hours"])), end
    return tuple(instant(spec[k], f"configuration: window.{k}") if spec.get(k) else None for k in ("start", "end"))


def read_capture(folder, start: datetime.datetime | None = None, end: datetime.datetime | None = None) -> list[Event]:
    """Every captured event under a folder, in file and line order; with `start` and/or
    `end`, only those whose inferenceTime is in [start, end)."""
    events = []
    for path in jsonl_files(folder):
        for where, record in _lines(path):
            capture = record.get("captureData")
            if not isinstance(capture, dict):
                raise InputError(f"{where}: not a data capture record (no captureData)")
            event = Event(_key(record, where), str(record["eventMetadata"].get("inferenceTime", "")))
            if start is not None or end is not None:
                moment = instant(event.time, where + ": eventMetadata.inferenceTime")
                if (start is not None and moment < start) or (end is not None and moment >= end):
                    continue
            if "endpointInput" in capture:
                event.inputs = decode(capture["endpointInput"], where + ": endpointInput")
            if "endpointOutput" in capture:
                event.outputs = decode(capture["endpointOutput"], where + ": endpointOutput")
            events.append(event)
    return events


def read_ground_truth(folder) -> dict[str, list]:
    """Labels by event key: each key's rows, first value of each row (its label)."""
    labels: dict[str, list] = {}
    for path in jsonl_files(folder):
        for where, record in _lines(path):
            if "groundTruthData" not in record:
                raise InputError(f"{where}: not a ground truth record (no groundTruthData)")
            rows = decode(record["groundTruthData"], where + ": groundTruthData")
            values = []
            for row in rows:
                if isinstance(row, dict):
                    raise InputError(f"{where}: a ground truth row must be a value, not an object")
                values.append(row[0] if row else None)
            labels[_key(record, where)] = values
    return labels


@dataclass
class Record:
    """One row of one event: inputs by column name (None when not captured, or when the
    row does not fit the columns: `malformed`), the output row's values (None when not
    captured), and its ground truth label (None when none was uploaded)."""

    key: str
    index: int
    inputs: dict | None
    output: list | None
    label: object = None
    malformed: bool = False


def _named(row, columns: list[str]) -> dict | None:
    if isinstance(row, dict):
        return {c: row.get(c) for c in columns}
    return dict(zip(columns, row)) if len(row) == len(columns) else None


def records(events: list[Event], columns: list[str], labels: dict[str, list] | None = None) -> list[Record]:
    """Events as rows: a request of n rows with a response of n rows (or one row of n
    values, as `{"predictions": [...]}` gives) is n records; labels join by key and row."""
    result = []
    for event in events:
        outputs = event.outputs
        if len(event.inputs) > 1 and len(outputs) == 1 and len(outputs[0]) == len(event.inputs):
            outputs = [[value] for value in outputs[0]]
        size = max(len(event.inputs), len(outputs))
        truth = (labels or {}).get(event.key, [])
        for i in range(size):
            row_in = event.inputs[i] if i < len(event.inputs) else None
            row_out = outputs[i] if i < len(outputs) else None
            if isinstance(row_out, dict):
                row_out = list(row_out.values())
            named = _named(row_in, columns) if row_in is not None else None
            result.append(Record(event.key, i, named, row_out, truth[i] if i < len(truth) else None,
                                 malformed=row_in is not None and named is None))
    return result
