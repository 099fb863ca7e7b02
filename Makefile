# dsprep: the two set-up commands (README.md) and their parts.
#   make demo   install what is missing, build, run the pipeline on the bundled MNIST sample
#   make test   install what is missing, build, run every test

# Debian packages: the C libraries dsprep links, and pkg-config to find them.
PACKAGES := libarchive-dev libturbojpeg0-dev libpng-dev libopenblas-dev libssl-dev pkg-config
# Python packages the interop tests use to read dsprep's files as users will (not the product).
PYTHON_PACKAGES := safetensors numpy Pillow
SWIFT ?= swift
DEMO := demo
BIN := .build/release/dsprep

.PHONY: all install python-packages build demo test benchmark clean

all: build

# Installs the missing packages (one apt-get update first, as a fresh machine needs); without
# root it prints the exact command to run and stops.
install:
	@missing=""; for p in $(PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	  else \
	    echo "dsprep needs these Debian packages:$$missing"; \
	    echo "Run: sudo apt-get update && sudo apt-get install -y$$missing"; \
	    exit 1; \
	  fi; \
	fi

build: install
	$(SWIFT) build -c release --product dsprep

# Runs every stage built so far on the demo data set, in a fresh folder demo/.
demo: build
	rm -rf $(DEMO) && mkdir -p $(DEMO)
	cd $(DEMO) && ../$(BIN) unpack ../Fixtures/mnist_png.zip
	cd $(DEMO) && ../$(BIN) split --ratios 80/10/10
	cd $(DEMO) && ../$(BIN) shapes
	cd $(DEMO) && ../$(BIN) shard --gray --size 28
	cd $(DEMO) && ../$(BIN) verify
	cd $(DEMO) && ../$(BIN) preview
	cd $(DEMO) && ../$(BIN) train --model cnn --epochs 10 --out runs/demo
	cd $(DEMO) && ../$(BIN) eval runs/demo --top-errors 3 > eval.txt && cat eval.txt
	@echo; echo "Test accuracy of the cnn preset on the demo set:$$(sed -n 's/.*accuracy \([0-9.]*%\).*/ \1/p' $(DEMO)/eval.txt | head -1)"

# The interop tests read shards with Python's safetensors and compare pixels with Pillow.
python-packages:
	@python3 -c "import safetensors, numpy, PIL" 2>/dev/null || python3 -m pip install -q $(PYTHON_PACKAGES)

test: install python-packages
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

benchmark: build
	Benchmarks/unpack.sh $(BIN)

clean:
	rm -rf .build $(DEMO)
