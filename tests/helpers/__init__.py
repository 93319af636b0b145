"""What several test modules share: the TF oracle, TF-written checkpoints, generated
programs and the SARIF schema. Test modules import these, never each other."""
