"""An independent lesson 03 solution: different structure, same contract."""
