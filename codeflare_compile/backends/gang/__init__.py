"""The gang schedulers, one module each, named as `--gang` spells them (choices.Gang)."""
