"""Whole-survey rules, checked after every part parsed: unique keys, one question per profile, and
conditions that refer only to earlier sections' questions with values those questions can have."""

from __future__ import annotations

from survey.spec.model import (
    Condition,
    ItemSpec,
    SurveySpec,
)
from survey.spec.values import _join, _suggest
from survey.spec.yamlfile import _show


class _CrossChecks:
    """Mixed into the parser, whose ``err`` collects the problems."""

    def cross_check(self, spec: SurveySpec) -> None:
        where: dict[str, tuple[int, ItemSpec]] = {}
        sections_seen: set[str] = set()
        profiles: dict[str, str] = {}
        for si, sec in enumerate(spec.sections):
            sp = f"sections[{si}]"
            if sec.key is not None and sec.key in sections_seen:
                self.err(_join(sp, "key"), f"duplicate section key {_show(sec.key)}")
            sections_seen.add(sec.key)
            for ii, it in enumerate(sec.items):
                ip = _join(_join(sp, "items"), ii)
                if it.key is None:
                    continue
                if it.key in where:
                    self.err(_join(ip, "key"), f"duplicate question key {_show(it.key)} "
                                               f"(also used in sections[{where[it.key][0]}])")
                else:
                    where[it.key] = (si, it)
                if it.profile in profiles:
                    self.err(_join(ip, "profile"), f"only one question may have profile {_show(it.profile)}; "
                                                   f"{_show(profiles[it.profile])} already has it")
                elif it.profile:
                    profiles[it.profile] = it.key
        for si, sec in enumerate(spec.sections):
            sp = f"sections[{si}]"
            self.check_condition(sec.show_if, _join(sp, "show_if"), si, where)
            for ii, it in enumerate(sec.items):
                self.check_condition(it.show_if, _join(_join(_join(sp, "items"), ii), "show_if"), si, where)

    def check_condition(self, c: Condition | None, path, si, where) -> None:
        if c is None:
            return
        qp = _join(path, "question")
        earlier = ("a condition can only refer to questions in earlier sections "
                   "(answers are checked between pages)")
        if not isinstance(c.question, str) or c.question not in where:
            keys = [k for k, (qsi, _) in where.items() if qsi < si]
            self.err(qp, f"no question {_show(c.question)} in this survey{_suggest(c.question, keys)}")
            return
        qsi, q = where[c.question]
        if qsi >= si:
            place = "the same section" if qsi == si else f"a later section (sections[{qsi}])"
            self.err(qp, f"question {_show(c.question)} is in {place}; {earlier}")
            return
        if q.type == "text_block":
            self.err(qp, f"{_show(c.question)} is a text block, not a question")
            return
        vp, option_keys = _join(path, c.op), [o.key for o in q.options]
        if c.op == "answered":
            if not isinstance(c.value, bool):
                self.err(vp, f"expected true or false, got {_show(c.value)}")
        elif c.op == "any_of":
            if q.type not in ("single_choice", "multiple_choice"):
                self.err(vp, f"any_of works on single_choice and multiple_choice questions, not {q.type}")
            elif not isinstance(c.value, tuple) or not c.value:
                self.err(vp, "expected a non-empty list of option keys")
            else:
                for i, k in enumerate(c.value):
                    if k not in option_keys:
                        self.err(_join(vp, i), f"question {_show(c.question)} has no option {_show(k)}"
                                               f"{_suggest(k, option_keys)}; "
                                               f"options: {', '.join(option_keys)}")
        elif q.type == "yes_no":
            if not isinstance(c.value, bool):
                self.err(vp, f"question {_show(c.question)} is yes_no: "
                             f"expected true or false, got {_show(c.value)}")
        elif q.type == "number":
            if not isinstance(c.value, int) or isinstance(c.value, bool):
                self.err(vp, f"question {_show(c.question)} is a number: "
                             f"expected a whole number, got {_show(c.value)}")
        elif q.type == "single_choice":
            if c.value not in option_keys:
                self.err(vp, f"question {_show(c.question)} has no option {_show(c.value)}"
                             f"{_suggest(c.value, option_keys)}; options: {', '.join(option_keys)}")
        else:
            self.err(vp, f"equals works on yes_no, number and single_choice questions, not {q.type}; "
                         f"use answered or any_of")


