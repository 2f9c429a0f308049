"""What organizers see of the answers: charts, response rates, exports."""
