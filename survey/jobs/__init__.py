"""The job pages: progress and results of long work run by `kraftkartan worker`."""
