# Every developer action, by name. README.md's two commands are `make run` and `make test`.
.PHONY: run test install stack stop functions lambda-tools lambda-release deploy admin fmt lint openapi bench-catalog bench-cart bench-checkout bench-lambda bench-cost bench-warm

run:            ## the whole shop on http://127.0.0.1:3000 over the local emulators
	bash infra/run.sh

test:           ## the whole test suite (what CI runs)
	bash infra/test.sh

install:        ## install the emulators and Python tools into .venv/ and .local/
	bash infra/install.sh

stack:          ## start only the emulators (DynamoDB Local, moto, localstripe)
	bash infra/start.sh

stop:           ## stop the emulators started by `make stack`
	bash infra/stop.sh

admin:          ## build the admin console into admin/dist (when its sources changed)
	bash infra/admin.sh build

openapi:        ## write the OpenAPI document generated from the routes into shared/openapi.json (what the functions serve)
	cargo run --quiet -p shop-local -- openapi > shared/openapi.json.new
	mv shared/openapi.json.new shared/openapi.json

functions:      ## build every Lambda binary (dev profile)
	cargo build -p functions

lambda-tools:   ## cargo-lambda (pinned) into .venv, for `cargo lambda watch/invoke/build`
	bash infra/install.sh
	.venv/bin/pip install --quiet --disable-pip-version-check cargo-lambda==1.9.2

# The CPU architecture of the deploy build; template.yaml's Architecture parameter must match.
ARCH ?= arm64

lambda-release: lambda-tools ## the deploy build: every function in one cargo run, into target/lambda/<bin>/bootstrap
	PATH="$(CURDIR)/.venv/bin:$$PATH" cargo lambda build --release -p functions $(if $(filter x86_64,$(ARCH)),--x86-64,--arm64)

deploy: lambda-release ## deploy the prebuilt functions (template.yaml's CodeUri points at target/lambda/<bin>/), then the admin console
	bash infra/admin.sh build
	sam deploy --guided --parameter-overrides Architecture=$(ARCH)
	.venv/bin/python infra/deploy_admin.py

bench-lambda:   ## every function's zipped size, init and first invocation against a hello-world floor, into docs/build.md (needs `make stack`)
	cargo build --release -p functions -p lambda-floor
	.venv/bin/python bench/lambda_all.py

bench-cost:     ## what 1,000 orders cost on AWS (Lambda, API Gateway, DynamoDB, SQS), into docs/operations.md (needs `make stack`)
	cargo build --profile bench-local -p shop-local
	.venv/bin/python bench/cost.py

bench-warm:     ## our own CPU time and allocations per request on the browse / cart / checkout mix (needs `make stack`)
	cargo build --profile bench-local -p shop-local
	.venv/bin/python bench/warm.py

bench-catalog:  ## listing, search and detail p50/p95 on 10,000 products (needs `make stack`)
	cargo build --profile bench-local -p shop-local -p shopctl
	.venv/bin/python bench/catalog.py

bench-cart:     ## cart and luck latencies and DynamoDB cost on the local server (needs `make stack`)
	cargo build --profile bench-local -p shop-local
	.venv/bin/python bench/cart.py

bench-checkout: ## checkout latency and the DynamoDB cost of checkout and payment (needs `make stack`)
	cargo build --profile bench-local -p shop-local
	.venv/bin/python bench/checkout.py

fmt:
	cargo fmt --all

lint:
	cargo clippy --workspace --all-targets -- -D warnings
	.venv/bin/cfn-lint template.yaml
