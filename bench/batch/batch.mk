# make bench-batch: time per operation of `credctl store batch`, a small
# and a large batch over a store of the same size, and their ratio.
.PHONY: bench-batch
bench-batch: $(BUILD)/bin/credstored $(BUILD)/bin/credctl
	@BUILD=$(BUILD) bench/batch/run
HELP += "make bench-batch  credctl store batch: time per operation, small against large batches"
