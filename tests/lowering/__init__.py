"""Unit tests per lowering rule (issue 9, point 6): tiny specs in, the IR (generator/ir.py) out.

One module per area. Each case names the rule it checks; the expected values are what the rule says, so a
failure points at a rule, not at a golden file. The tests use only stable entry points: `generator.load.load`,
`generator.lower.lower` and the IR it returns, the helpers of `generator/lower/names.py`, and the printer of
`generator/lower/printing.py`.
"""
