# One entry point for set-up, running, testing and benchmarks. See README.md.
.PHONY: setup run test test-all knowledge train validate benchmark chat clean

VENV := .venv/bin

setup:            ## create .venv (Python 3.10) and install the project
	@bash scripts/setup.sh

run: setup        ## load knowledge, train if needed, start both servers and chat
	@$(VENV)/bot run

test: setup       ## the whole default test suite (unit, action, conversation, rasa validate/test)
	@$(VENV)/python -m pytest

test-all: setup   ## the default suite plus slow tests
	@$(VENV)/python -m pytest --run-slow

knowledge: setup  ## validate and load the knowledge store
	@$(VENV)/bot knowledge load

train: setup      ## train the Rasa model if its inputs changed
	@$(VENV)/bot model ensure

validate: setup   ## rasa data validate, failing on warnings
	@$(VENV)/rasa data validate --fail-on-warnings

benchmark: setup  ## print accuracy, latency, memory and timing figures
	@$(VENV)/python -m benchmarks.run

chat:             ## talk to an already running assistant
	@$(VENV)/bot chat

clean:            ## remove trained models, caches and local databases
	rm -rf models .rasa var
