"""The calibration grid: every class shard emits the hard-gate primitives, and
the classes are told apart.

With ``BEHAVE_CALIBRATION_DIR`` set, the grid runs on DECNET's five private
calibration shards (``sessions-2026-05-02*.jsonl``) with DECNET's own hard
gate. Otherwise it runs on the class shards of the shared corpus: synthetic
human typists, bots, paste-driven and closed-loop agents, and real honeypot
and human recordings with input. Output-only recordings carry no input, so
they are no class for a keystroke profiler and are left out.
"""

from __future__ import annotations

import collections
import os
from pathlib import Path

import pytest

import behave_shell_native as bsn

from corpus import CORPUS

# DECNET's per-shard hard gate: what each of its calibration shards emits.
DECNET_HARD_GATE = frozenset(
    {
        "motor.input_modality",
        "motor.paste_burst_rate",
        "motor.keystroke_cadence",
        "motor.motor_stability",
        "motor.error_correction",
        "motor.command_chunking",
        "motor.shell_mastery.tab_completion",
        "motor.shell_mastery.shortcut_usage",
        "motor.shell_mastery.pipe_chaining_depth",
        "cognitive.inter_command_latency_class",
        "cognitive.command_branch_diversity",
        "cognitive.feedback_loop_engagement",
        "cognitive.inter_command_consistency",
        "cognitive.cognitive_load",
        "cognitive.exploration_style",
        "cognitive.planning_depth",
        "cognitive.tool_vocabulary",
        "temporal.session_duration",
        "temporal.escalation_pattern",
        "temporal.lifecycle_markers.landing_ritual",
        "temporal.lifecycle_markers.exit_behavior",
        "environmental.shell_type",
        "environmental.terminal_multiplexer",
        "environmental.numpad_usage",
        "operational.opsec_discipline",
        "operational.cleanup_behavior",
        "emotional_valence.stress_response",
    }
)

# Need typed keystrokes (a paste-only agent has none): bursts of typing gaps,
# three gaps inside a command, or 50 typed characters.
TYPING_CONDITIONAL = frozenset(
    {
        "motor.keystroke_cadence",
        "motor.motor_stability",
        "motor.command_chunking",
        "motor.digraph_simhash",
        "environmental.numpad_usage",
    }
)

# Need particular content or sample sizes.
CONTENT_CONDITIONAL = frozenset(
    {
        "environmental.shell_type",  # a prompt line in the output
        "environmental.locale",  # a locale variable printed
        "environmental.keyboard_layout",  # 200 typed letters
        "cognitive.inter_command_consistency",  # two gaps with a positive mean
        "cognitive.error_resilience.retry_tactic",  # an errored command
        "cognitive.error_resilience.frustration_typing",
        "cognitive.error_resilience.fallback_to_man",
        "operational.objective",  # three commands with a known intent
        "operational.multi_actor_indicators",  # eight commands
        "emotional_valence.valence",  # 80 typed letters
        "emotional_valence.arousal",  # a typing burst
        "emotional_valence.frustration_venting",  # 30 typed letters
    }
)

# What every class shard must emit once a session has commands.
CORPUS_HARD_GATE = DECNET_HARD_GATE - TYPING_CONDITIONAL - CONTENT_CONDITIONAL

DECNET_SHARDS = {
    "HUMAN": "sessions-2026-05-02.jsonl",
    "YOU-sim": "sessions-2026-05-02-with-llm.jsonl",
    "LW-sim": "sessions-2026-05-02-new.jsonl",
    "CLAUDE-FF": "sessions-2026-05-02-with-claude.jsonl",
    "CLAUDE-CL": "sessions-2026-05-02-closed-loop.jsonl",
}

CORPUS_CLASSES = {
    "human-typist": "synthetic/human_*.jsonl",
    "bot": "synthetic/bots*.jsonl",
    "paste-agent": "synthetic/paste_agent*.jsonl",
    "closed-loop-agent": "synthetic/closed_loop_agent*.jsonl",
    "honeypot-attacker": "real/honeypot-cowrie-*.io.jsonl",
    "human-demo": "real/human-demo-*.io.jsonl",
}


def _grid() -> tuple[str, dict[str, list[Path]], frozenset[str]]:
    """(mode, class → shards, hard gate)."""
    raw = os.environ.get("BEHAVE_CALIBRATION_DIR")
    if raw and Path(raw).expanduser().is_dir():
        root = Path(raw).expanduser()
        classes = {c: [root / f] for c, f in DECNET_SHARDS.items() if (root / f).is_file()}
        return "decnet", classes, DECNET_HARD_GATE
    classes = {c: sorted(CORPUS.glob(pattern)) for c, pattern in CORPUS_CLASSES.items()}
    return "corpus", {c: s for c, s in classes.items() if s}, CORPUS_HARD_GATE


MODE, CLASSES, HARD_GATE = _grid()
CLASS_SHARDS = [(c, shard) for c, shards in CLASSES.items() for shard in shards]


def _observations(shard: Path) -> list:
    return [o for _sid, obs in bsn.extract_shard(shard) for o in obs]


def _require_grid() -> None:
    if not CLASSES:
        pytest.skip(
            "no calibration shards: BEHAVE_CALIBRATION_DIR is unset or empty "
            f"and the shared corpus is not at {CORPUS}"
        )


def test_gate_sets_are_consistent() -> None:
    assert HARD_GATE <= DECNET_HARD_GATE
    assert not HARD_GATE & (TYPING_CONDITIONAL | CONTENT_CONDITIONAL)
    # 27 of DECNET, less 4 typing-dependent and 2 content-dependent ones.
    assert len(CORPUS_HARD_GATE) == 21


@pytest.mark.parametrize(
    ("label", "shard"), CLASS_SHARDS, ids=[f"{c}:{s.name}" for c, s in CLASS_SHARDS]
)
def test_class_shard_emits_the_hard_gate(label: str, shard: Path) -> None:
    observations = _observations(shard)
    assert observations, f"{label} ({shard.name}): no observations"
    missing = HARD_GATE - {o.primitive for o in observations}
    assert not missing, f"{label} ({shard.name}) is missing {sorted(missing)}"


def _majorities() -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for label, shards in CLASSES.items():
        per_primitive: dict[str, collections.Counter[str]] = collections.defaultdict(
            collections.Counter
        )
        for shard in shards:
            for o in _observations(shard):
                per_primitive[o.primitive][str(o.value)] += 1
        out[label] = {p: c.most_common(1)[0][0] for p, c in per_primitive.items()}
    return out


def test_classes_are_discriminated() -> None:
    _require_grid()
    if len(CLASSES) < 2:
        pytest.skip("need at least two class shards to compare")
    majorities = _majorities()
    discriminating = [
        p for p in sorted(HARD_GATE) if len({m[p] for m in majorities.values() if p in m}) >= 2
    ]
    assert discriminating, f"every hard-gate primitive has one majority value: {majorities}"


def test_typists_and_paste_agents_split_on_modality() -> None:
    """By construction of the synthetic corpus, its human typists type and its
    paste-driven agents paste: the majority input modality must say so."""
    if MODE != "corpus" or not {"human-typist", "paste-agent"} <= set(CLASSES):
        pytest.skip("needs the shared corpus's synthetic class shards")
    majorities = _majorities()
    assert majorities["human-typist"]["motor.input_modality"] == "typed"
    assert majorities["paste-agent"]["motor.input_modality"] == "pasted"
    assert majorities["human-typist"]["motor.paste_burst_rate"] == "none"
    assert majorities["paste-agent"]["motor.paste_burst_rate"] == "habitual"
