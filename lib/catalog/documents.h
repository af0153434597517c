// The documents of one catalog file, as json::Values: a JSON file holding
// one or several concatenated JSON values (opm writes them so, separated by
// whitespace or nothing), or a YAML stream of "---"-separated documents.
// YAML is read with yaml-cpp's event parser (this file is the module's only
// yaml-cpp user; nothing of it leaks out of here), one document at a time
// and straight into a json::Value, so memory is one document's tree plus the
// file's bytes, never a second copy of the whole file. Plain YAML scalars
// resolve as YAML 1.2's core schema (null, true/false, numbers — kept as
// numbers only when they are valid JSON numbers), quoted ones are strings;
// aliases copy their anchor's value.
// Pure functions; errors are kInvalidArgument naming the document by its
// position ("document 3: ...", "line 12: ..." for YAML), the caller adds
// the file's path.
#pragma once

#include <functional>
#include <string_view>

#include "archive/tar.h"
#include "json/value.h"

namespace mk::catalog {

using DocumentSink = std::function<Result<archive::Visit>(json::Value doc)>;

Status ForEachJsonDocument(std::string_view content, const DocumentSink& sink);
Status ForEachYamlDocument(std::string_view content, const DocumentSink& sink);

}  // namespace mk::catalog
