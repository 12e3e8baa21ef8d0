"""The stateful machine's invariants about what the user is told and when: every notification
backend's delivery (command, ntfy, the INBOX note) and the provider's words about time (the
case's deadline, its reminders, a promised response time).  A mixin of ``MailboxMachine``
(stateful_machine.py), whose model attributes it reads."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime

from hypothesis.stateful import invariant

from appealwatch.engine import MAX_ATTEMPTS
from appealwatch.push import event_tag
from appealwatch.render import note_message_id
from stateful_words import DUE_HOUR, business_days_before

REMINDERS = ("deadline_near", "deadline_today")


class TellingInvariants:
    # -------------------------------------------------------------- invariants: notifications

    def model_cases(self) -> dict[int, str]:
        """The store's case of each of the model's cases, named by the notice that opened it."""
        found = {}
        for key in self.case_deadline:
            row = self.store.db.execute(
                "SELECT case_id FROM messages WHERE message_id = ? AND case_id IS NOT NULL",
                (key,)).fetchone()
            if row is not None:
                found[row[0]] = key
        return found

    def stale(self, event: dict, cases: dict[int, str]) -> bool:
        """A deadline reminder that must not go out any more: its deadline has passed, or its
        case was decided or has been given another deadline since."""
        if event["event"] not in REMINDERS:
            return False
        due = datetime.fromisoformat(event["deadline"])
        key = cases.get(event["case_id"])
        return key is None or self.case_deadline.get(key) != due or self.now > due

    def owed(self) -> tuple[list, list]:
        """The store's notifications with their events, and those every working backend must
        have after a complete pass: all but the stale reminders (and, after so many kills and
        failures that the engine may have given up, the ones it gave up)."""
        rows = self.store.notifications()
        if self.troubles < MAX_ATTEMPTS:
            assert not [r for r in rows if r["state"] == "failed"], "given up without cause"
        cases = self.model_cases()
        events = [json.loads(r["payload"]) for r in rows]
        # a reminder due when its case is being told of anyway is said in that notification
        carried = {(e["case_id"], e["deadline"]) for e in events
                   if e["event"] not in REMINDERS and e.get("deadline")}
        owed = [e for r, e in zip(rows, events, strict=True)
                if r["state"] != "failed" and not self.stale(e, cases)
                and not (r["state"] == "folded" and (e["case_id"], e["deadline"]) in carried)]
        return list(zip(rows, events, strict=True)), owed

    @invariant()
    def command_at_most_once_and_exactly_once_unless_cut_short(self) -> None:
        sent = self.recorder.sent
        assert len(sent) == len(set(sent)), Counter(sent).most_common(2)
        _all, owed = self.owed()
        if self.settled and "command" not in self.down:
            missing = {e["id"] for e in owed} - set(sent) - self.lost_command
            assert not missing, f"never ran the command for {missing}"

    @invariant()
    def ntfy_exactly_once(self) -> None:
        published = self.recorder.published()
        known, owed = self.owed()
        tags = {event_tag(e): e["id"] for _r, e in known}
        assert max(published.values(), default=1) == 1, published.most_common(1)
        assert set(published) <= set(tags), "published an event the state knows nothing of"
        if self.settled and "ntfy" not in self.down:
            missing = {e["id"] for e in owed} - {tags[t] for t in published}
            assert not missing, f"never published: {missing}"

    @invariant()
    def inbox_notes_once_each_and_the_newest_of_a_case_kept(self) -> None:
        listed = self.note_ids()
        present = [mid for mid, _identity in listed]
        assert len(present) == len(set(present)), Counter(present).most_common(2)
        for mid, identity in listed:
            assert mid not in self.notes_gone, f"note {mid} appended again after it was removed"
            assert self.notes.setdefault(mid, identity) == identity, f"note {mid} appended twice"
        for mid in set(self.notes) - set(present):
            del self.notes[mid]
            self.notes_gone.add(mid)
        known, owed = self.owed()
        note_of = {e["id"]: note_message_id(e["id"], "example.net") for _r, e in known}
        assert set(present) <= set(note_of.values()), "a note of no event"
        if self.settled:
            # each case's newest event that had to be delivered or was: its note is in INBOX
            # (an older untouched one is removed when the next supersedes it)
            owed_ids = {e["id"] for e in owed}
            seen = set(self.notes) | self.notes_gone
            newest = {}
            for row, e in known:
                if e["id"] in owed_ids or note_of[e["id"]] in seen:
                    newest[row["case_id"] if row["case_id"] is not None else -row["id"]] = e
            missing = [e["id"] for e in newest.values() if note_of[e["id"]] not in present]
            assert not missing, f"no note in INBOX for {missing}"

    # -------------------------------------------------------------- invariants: time

    @invariant()
    def deadlines_as_the_providers_latest_word_set_them(self) -> None:
        if not self.settled:
            return
        for case_id, key in self.model_cases().items():
            case = self.store.case(case_id)
            assert case is not None
            assert case.deadline_at == self.case_deadline[key], (
                f"case {case_id}: deadline {case.deadline_at}, stated "
                f"{self.case_deadline[key]}")

    @invariant()
    def reminders_once_in_time_and_only_for_open_cases(self) -> None:
        for event, at, is_open, current in self.deliveries:
            due = datetime.fromisoformat(event["deadline"])
            assert at <= due, f"{event['id']} delivered at {at}, after its deadline"
            assert is_open, f"{event['id']} delivered for a closed case"
            assert current == due, f"{event['id']} delivered, the case's deadline is {current}"
            assert any(due in stated for stated in self.stated.values()), "nobody stated it"
        told = Counter((e["case_id"], datetime.fromisoformat(e["deadline"]), e["event"])
                       for e in self.recorder.events if e["event"] in REMINDERS)
        assert max(told.values(), default=1) == 1, told.most_common(1)
        if not self.settled or "command" in self.down:
            return
        for case_id, key in self.model_cases().items():
            due = self.case_deadline[key]
            if due is None or self.now > due:
                continue
            today = datetime.combine(due.date(), DUE_HOUR, tzinfo=UTC)
            near = datetime.combine(business_days_before(due.date(), 2), DUE_HOUR, tzinfo=UTC)
            stage = ("deadline_today" if self.now >= today else
                     "deadline_near" if self.now >= near else None)
            carried = any(e["case_id"] == case_id and e["event"] not in REMINDERS
                          and e.get("deadline") and datetime.fromisoformat(e["deadline"]) == due
                          for e in self.recorder.events)
            if stage is not None and (case_id, due, stage) not in told and not carried:
                assert any(e.startswith(f"deadline:{self.ACCOUNT}:{case_id}:")
                           for e in self.lost_command), f"case {case_id}: no {stage} for {due}"

    @invariant()
    def no_followup_before_a_promised_response_time(self) -> None:
        processed = {mid for (mid,) in self.store.db.execute(
            "SELECT message_id FROM messages WHERE processed = 1")}
        for _case, mid, _due in self.promises:
            if mid in processed:
                self.processed_at.setdefault(mid, self.now)
        for case_id, key in self.model_cases().items():
            promised = [(self.processed_at[mid], due) for case, mid, due in self.promises
                        if case == key and mid in self.processed_at]
            for row in self.store.drafts(case_id=case_id):
                if row["kind"] != "followup":
                    continue
                made = datetime.fromisoformat(row["created_at"])
                binding = [due for read, due in promised if read <= made]
                if binding:
                    assert made >= binding[-1], f"follow-up at {made}, promised {binding[-1]}"
