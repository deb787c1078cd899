"""An independent lesson 02 solution: different structure, same contract."""
