"""Training: the update step (owned by the model), the loop (owns time), checkpoints."""
