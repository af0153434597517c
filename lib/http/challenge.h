// WWW-Authenticate challenges (RFC 7235 section 2.1; Docker registry token
// authentication): `Bearer realm="https://auth.example/token",
// service="registry.example",scope="repository:a/b:pull"` or
// `Basic realm="x"`.
//
// Grammar handled: challenge := scheme [ 1*SP param *( "," param ) ],
// param := token "=" ( token | quoted-string ), quoted-string allowing "\"
// escapes. Several challenges in one header are split at a scheme token that
// is not followed by "=". Pure functions.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace mk::http {

struct Challenge {
  std::string scheme;                         // lower-case: "bearer", "basic"
  std::map<std::string, std::string> params;  // keys lower-case
  std::string Param(const std::string& key) const {
    auto it = params.find(key);
    return it == params.end() ? "" : it->second;
  }
};

Result<std::vector<Challenge>> ParseChallenges(std::string_view header);

}  // namespace mk::http
