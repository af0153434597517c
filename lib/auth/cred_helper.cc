#include "auth/cred_helper.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

#include "base/strings.h"
#include "base/subprocess.h"
#include "json/value.h"

namespace mk::auth {
namespace {

constexpr char kPrefix[] = "docker-credential-";
// docker-credential-helpers' credentials.errCredentialsNotFoundMessage: the
// one failure that means "nothing stored for this server".
constexpr char kNotFoundMessage[] = "credentials not found in native keychain";

std::string Seconds(std::chrono::milliseconds d) {
  if (d.count() < 1000) return std::to_string(d.count()) + " ms";
  return std::to_string(d.count() / 1000) + " s";
}

}  // namespace

bool ValidHelperName(const std::string& name) {
  if (name.empty() || name.size() > 200 || name == "." || name == "..") return false;
  for (char c : name)
    if (c == '/' || c == '\0' || static_cast<unsigned char>(c) < 0x20) return false;
  return true;
}

Result<std::string> FindHelper(const std::string& name, const std::string& why, const HelperOptions& options) {
  const std::string program = kPrefix + name;
  if (!ValidHelperName(name)) return InvalidArgument(Quote(program) + " is not a credential helper name (" + why + ")");
  std::string dirs = options.search_path;
  if (dirs.empty())
    if (const char* p = std::getenv("PATH")) dirs = p;
  for (const std::string& dir : Split(dirs, ':')) {
    if (dir.empty()) continue;  // not the current directory: a helper is never picked up from where we run
    std::string path = dir + "/" + program;
    struct stat st;
    if (stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && access(path.c_str(), X_OK) == 0) return path;
  }
  return NotFound(program + " not found on PATH (" + why + ")");
}

Result<HelperAnswer> ParseHelperOutput(const std::string& out, const std::string& helper) {
  // No excerpt of the output in any message: it is the secret's carrier.
  auto doc = json::Value::Parse(out);
  if (!doc.ok() || !doc->is_object()) return InvalidArgument(helper + " did not print a JSON object");
  for (const char* field : {"Username", "Secret"})
    if (const json::Value* v = doc->Find(field); v && !v->is_string() && !v->is_null())
      return InvalidArgument(helper + " printed a " + field + " that is not a string");
  HelperAnswer a;
  std::string user = doc->GetString("Username").value_or("");
  std::string secret = doc->GetString("Secret").value_or("");
  if (user == "<token>") {
    a.identity_token = std::move(secret);
  } else {
    a.username = std::move(user);
    a.secret = std::move(secret);
  }
  return a;
}

Result<std::optional<HelperAnswer>> RunHelperGet(const std::string& name, const std::string& server,
                                                 const std::string& why, const HelperOptions& options) {
  MK_ASSIGN_OR_RETURN(std::string path, FindHelper(name, why, options));
  const std::string program = kPrefix + name;
  const std::string what = program + " get for " + server;
  auto run = base::RunCapture(path, {program, "get"}, server, options.max_output, options.timeout);
  if (!run.ok()) {
    switch (run.status().code()) {
      case Code::kUnavailable:
        return Unavailable(what + " did not finish within " + Seconds(options.timeout) + " (" + why + ")");
      case Code::kInvalidArgument:
        return InvalidArgument(what + " printed more than " + std::to_string(options.max_output) + " bytes (" + why +
                               ")");
      default:
        return Status(run.status().code(), what + " could not run: " + run.status().message() + " (" + why + ")");
    }
  }
  if (run->status != 0) {
    if (Trim(run->out) == kNotFoundMessage) return std::optional<HelperAnswer>();
    std::string how = run->status > 128 ? "was killed by signal " + std::to_string(run->status - 128)
                                        : "failed with exit status " + std::to_string(run->status);
    return PermissionDenied(what + " " + how + " (" + why + ")");
  }
  auto answer = ParseHelperOutput(run->out, what);
  if (!answer.ok()) return Status(answer.status().code(), answer.status().message() + " (" + why + ")");
  if (answer->username.empty() && answer->secret.empty() && answer->identity_token.empty())
    return std::optional<HelperAnswer>();
  return std::optional<HelperAnswer>(std::move(*answer));
}

}  // namespace mk::auth
