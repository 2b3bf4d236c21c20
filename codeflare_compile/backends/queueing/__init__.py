"""The queueing targets, one module each, named as `--queueing` spells them (choices.Queueing)."""
