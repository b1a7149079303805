"""Where state changes and notifications go, the moment they happen: one line each on the
output (JSON, or a line for people), SNS (``--notify-sns``), a command (``--exec``), and the
notification files replay writes (``--notifications-dir``/``--notifications-jsonl``)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any, TextIO

from ..alarm import Notification, Transition
from ..times import iso_utc
from .engine import Change, MinuteClosed

EXEC_TIMEOUT = 60  # seconds a --exec command may take per notification


class Delivery:
    """Prints and sends what the engine gives. ``failures`` counts sends that failed (each is
    reported on standard error; the watch goes on)."""

    def __init__(
        self,
        alarm_name: str | None,
        *,
        output: str = "text",
        out: TextIO | None = None,
        query: str | None = None,
        sns_topic: str | None = None,
        sns_client: Any = None,
        command: str | None = None,
        datapoints: bool = False,
        notifications_dir: str | None = None,
        notifications_jsonl: str | None = None,
    ) -> None:
        self.alarm_name, self.output, self.out = alarm_name, output, out or sys.stdout
        self.query = None
        if query:
            import jmespath

            self.query = jmespath.compile(query)
        self.sns_topic, self.sns_client, self.command = sns_topic, sns_client, command
        self.datapoints = datapoints
        self.folder = Path(notifications_dir) if notifications_dir else None
        self.jsonl = notifications_jsonl
        self.sent = 0
        self.failures = 0

    def emit(self, events: list[Change | MinuteClosed]) -> None:
        for event in events:
            if isinstance(event, Change):
                self._transition(event.transition)
                for note in event.notifications:
                    self.notify(note)
            elif self.datapoints and event.points:
                self._minute(event)
        self.out.flush()

    def _line(self, doc: dict[str, Any], text: str) -> None:
        """One line: ``text`` for people, or ``doc`` as JSON; with ``--query``, what it selects of
        ``doc`` (nothing when it selects nothing)."""
        if self.query is not None:
            found = self.query.search(doc)
            if found is None:
                return
            line = (
                json.dumps(found, ensure_ascii=False)
                if self.output == "json" or not isinstance(found, (str, int, float))
                else str(found)
            )
        else:
            line = json.dumps(doc, ensure_ascii=False) if self.output == "json" else text
        self.out.write(line + "\n")
        self.out.flush()

    def _transition(self, tr: Transition) -> None:
        doc = {"type": "transition", "alarmName": self.alarm_name, **tr.as_dict()}
        self._line(doc, f"{iso_utc(tr.timestamp)}  {self.alarm_name}  {tr.old_state} -> {tr.new_state}  {tr.reason}")

    def _minute(self, closed: MinuteClosed) -> None:
        for key, stats in closed.points:
            doc = {"type": "datapoint", "minute": iso_utc(closed.minute), "metric": key.as_dict(), **stats.as_dict()}
            text = (f"{iso_utc(closed.minute)}  {key.namespace}/{key.name}{dict(key.dimensions) or ''}  "
                    f"sum={stats.sum:g} samples={stats.sample_count}")  # fmt: skip
            self._line(doc, text)

    def notify(self, note: Notification) -> None:
        """One notification: printed, then published and handed to the command."""
        self.sent += 1
        body = {"type": "notification", **note.as_dict()}
        self._line(body, f"{iso_utc(note.timestamp)}  notification to {note.topic_arn}: {note.subject}")
        self._files(note)
        if self.sns_topic:
            self._publish(note)
        if self.command:
            self._run(json.dumps(note.as_dict(), ensure_ascii=False))

    def _files(self, note: Notification) -> None:
        try:
            if self.folder is not None:
                self.folder.mkdir(parents=True, exist_ok=True)
                name = (
                    f"{self.sent:04d}-{note.message['NewStateValue']}-{iso_utc(note.timestamp).replace(':', '')}.json"
                )
                (self.folder / name).write_text(json.dumps(note.sns_envelope(), indent=2, ensure_ascii=False) + "\n")
            if self.jsonl:
                with open(self.jsonl, "a", encoding="utf-8") as f:
                    f.write(json.dumps(note.as_dict(), ensure_ascii=False) + "\n")
        except OSError as exc:
            self._failed(f"cannot write the notification: {exc}")

    def _publish(self, note: Notification) -> None:
        """SNS Publish as CloudWatch publishes: a JSON message structure (``default``, ``email``, ``sms``)."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self.sns_client.publish(TopicArn=self.sns_topic, Subject=note.subject, MessageStructure="json",
                                    Message=json.dumps(note.published_message(), ensure_ascii=False))  # fmt: skip
        except (BotoCoreError, ClientError) as exc:  # reported; the watch goes on
            self._failed(f"SNS publish to {self.sns_topic} failed: {exc}")

    def _run(self, text: str) -> None:
        assert self.command is not None
        try:
            done = subprocess.run(self.command, shell=True, input=text, text=True, timeout=EXEC_TIMEOUT, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            self._failed(f"--exec {self.command!r}: {exc}")
            return
        if done.returncode:
            self._failed(f"--exec {self.command!r} exited with status {done.returncode}")

    def _failed(self, message: str) -> None:
        self.failures += 1
        print(f"cwfilter: {message}", file=sys.stderr)
