# One entry point for set-up, running, testing and benchmarks. See README.md.
.PHONY: setup browser services run run-production lint test test-all test-web widget-screenshot knowledge train validate benchmark benchmark-cases benchmark-load benchmark-pii benchmark-db profile-turn insight-month db-upgrade chat clean

VENV := .venv/bin

setup:            ## create .venv (Python 3.10) and install the project
	@bash scripts/setup.sh

browser:          ## install Debian's chromium for the browser tests (once; needs root)
	@bash scripts/setup-browser.sh

services:         ## install Debian's postgresql, redis-server and nginx-light (once; needs root): the production topology and its tests
	@bash scripts/setup-services.sh

run: setup        ## load knowledge, train if needed, start both servers and the web chat page
	@$(VENV)/bot run

lint: setup       ## ruff on the code and tests, mypy on the typed packages (bot/dialogue, bot/text)
	@$(VENV)/ruff check bot actions tests benchmarks action_server.py
	@$(VENV)/mypy bot/dialogue bot/text

test: setup browser services lint  ## lint, then the whole default test suite (unit, action, conversation, browser, rasa validate/test)
	@$(VENV)/python -m pytest

test-all: setup browser services  ## the default suite plus slow tests
	@$(VENV)/python -m pytest --run-slow

test-web: setup browser  ## only the web widget's tests (headless Chromium)
	@$(VENV)/python -m pytest tests/web

widget-screenshot: setup browser  ## refresh docs/img/widget.png from the browser test's screenshot
	@$(VENV)/python -m pytest tests/web -q -k cited_answer
	cp var/artifacts/screenshots/widget-answer.png docs/img/widget.png

run-production: setup services  ## PostgreSQL, Redis, 2 Rasa + 2 action servers behind nginx on 127.0.0.1:8000 (docs/deployment.md)
	@$(VENV)/bot run --production

knowledge: setup  ## validate and load the knowledge store
	@$(VENV)/bot knowledge load

train: setup      ## train the Rasa model if its inputs changed
	@$(VENV)/bot model ensure

validate: setup   ## rasa data validate, failing on warnings
	@$(VENV)/rasa data validate --fail-on-warnings

benchmark: setup  ## print accuracy (dev cases per category, question sets), latency and memory with and without the encoder, timings
	@$(VENV)/python -m benchmarks.run

benchmark-cases: setup  ## only the dev cases (eval/dev_cases.yml); URL=<REST webhook> scores running servers, ONLY="nc danger" some
	@$(VENV)/python -m benchmarks.cases $(if $(URL),--url $(URL)) $(if $(ONLY),--only $(ONLY))

benchmark-load: setup  ## plain `rasa init` bot vs ours (1 and 2 Rasa servers, production set-up): msg/s, p50, p95, errors, CPU per process at 1/20/50 conversations; ONLY="plain ours-1", LEVELS=1,20
	@$(VENV)/python -m benchmarks.load $(if $(LEVELS),--levels $(LEVELS)) $(if $(ONLY),--only $(ONLY))

benchmark-pii: setup  ## personal-detail detectors: precision and recall per detector on eval/pii_drafts.yml
	@$(VENV)/python -m benchmarks.pii

insight-month: setup  ## a simulated month of conversations through the real handlers, its insight report and docs/img/insight-report.png
	@$(VENV)/bot insight simulate -d var/insight-month.db --to 2026-11-29 --days 28 --report var/insight-month.html --screenshot docs/img/insight-report.png

profile-turn: setup  ## where one turn's time goes, and how it grows over a 200-turn conversation (docs/performance.md)
	@$(VENV)/python -m benchmarks.profile_turn

benchmark-db: setup  ## the project's tables on SQLite and PostgreSQL: schema upgrade, import and directory search times
	@$(VENV)/python -m benchmarks.db

db-upgrade: setup  ## apply the database migrations to DASG_DATABASE_URL (and the tracker's sender_id index)
	@$(VENV)/bot db upgrade

chat:             ## talk to an already running assistant
	@$(VENV)/bot chat

clean:            ## remove trained models, caches, local databases and the widget build
	rm -rf models .rasa var web/dist
