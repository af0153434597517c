# make install / make uninstall (included by the Makefile).
#
#   make install PREFIX=/usr/local DESTDIR=/tmp/root
#   make uninstall PREFIX=/usr/local DESTDIR=/tmp/root
#
# Installs, under $(DESTDIR)$(PREFIX):
#   bin/                       every tool and the front command mirrorkit
#   libexec/mirrorkit/         the plugins: compiled (plugins/NAME/main.cpp,
#                              built as $(BIN)/mirrorkit-NAME) and scripts
#                              (plugins/mirrorkit-NAME); bin/mirrorkit finds
#                              them at bin/../libexec/mirrorkit
#   share/man/man1, man7       the man pages
#   share/bash-completion/completions/mirrorkit
#                              bash completion; bash-completion loads the file
#                              named after the command being completed, so
#                              every other command name is a symbolic link to it
#   share/zsh/vendor-completions/_mirrorkit
#                              zsh completion (Debian's vendor directory)
# uninstall removes exactly these files, and the plugins directory when it
# is left empty. install builds what is missing first ($(TOOL_BINS)); to
# install what is already in BIN without building, make -o every program
# (tests/install.bats does).

PREFIX     ?= /usr/local
DESTDIR    ?=
bindir      = $(PREFIX)/bin
pluginsdir  = $(PREFIX)/libexec/mirrorkit
man1dir     = $(PREFIX)/share/man/man1
man7dir     = $(PREFIX)/share/man/man7
bashcompdir = $(PREFIX)/share/bash-completion/completions
zshcompdir  = $(PREFIX)/share/zsh/vendor-completions
INSTALL    ?= install

SCRIPT_PLUGINS  := $(sort $(wildcard plugins/mirrorkit-*))
INSTALL_MAN1    := $(sort $(wildcard man/*.1))
INSTALL_MAN7    := $(sort $(wildcard man/*.7))
# Every command name that gets the bash completion: the programs and the
# script plugins (mirrorkit itself holds the file; storage plugins are run
# by the tools, not typed).
COMPLETED_NAMES := $(filter-out mirrorkit mirrorkit-storage-%,$(PROGRAMS) $(notdir $(SCRIPT_PLUGINS)))

.PHONY: install uninstall
install: $(TOOL_BINS)
	$(INSTALL) -d '$(DESTDIR)$(bindir)' '$(DESTDIR)$(pluginsdir)' '$(DESTDIR)$(man1dir)' \
	  '$(DESTDIR)$(man7dir)' '$(DESTDIR)$(bashcompdir)' '$(DESTDIR)$(zshcompdir)'
	$(INSTALL) -m 0755 $(TOOLS:%=$(BIN)/%) '$(DESTDIR)$(bindir)/'
	$(if $(PLUGINS)$(SCRIPT_PLUGINS),$(INSTALL) -m 0755 $(PLUGINS:%=$(BIN)/mirrorkit-%) $(SCRIPT_PLUGINS) '$(DESTDIR)$(pluginsdir)/')
	$(INSTALL) -m 0644 $(INSTALL_MAN1) '$(DESTDIR)$(man1dir)/'
	$(INSTALL) -m 0644 $(INSTALL_MAN7) '$(DESTDIR)$(man7dir)/'
	$(INSTALL) -m 0644 completions/mirrorkit.bash '$(DESTDIR)$(bashcompdir)/mirrorkit'
	for n in $(COMPLETED_NAMES); do ln -sfn mirrorkit '$(DESTDIR)$(bashcompdir)/'$$n || exit 1; done
	$(INSTALL) -m 0644 completions/_mirrorkit '$(DESTDIR)$(zshcompdir)/_mirrorkit'

uninstall:
	rm -f $(TOOLS:%='$(DESTDIR)$(bindir)/%')
	rm -f $(PLUGINS:%='$(DESTDIR)$(pluginsdir)/mirrorkit-%') $(SCRIPT_PLUGINS:plugins/%='$(DESTDIR)$(pluginsdir)/%')
	rm -f $(INSTALL_MAN1:man/%='$(DESTDIR)$(man1dir)/%') $(INSTALL_MAN7:man/%='$(DESTDIR)$(man7dir)/%')
	rm -f '$(DESTDIR)$(bashcompdir)/mirrorkit' $(COMPLETED_NAMES:%='$(DESTDIR)$(bashcompdir)/%')
	rm -f '$(DESTDIR)$(zshcompdir)/_mirrorkit'
	rmdir '$(DESTDIR)$(pluginsdir)' 2>/dev/null || true
