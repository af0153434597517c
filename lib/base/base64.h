// Standard base64 (RFC 4648 section 4, with padding), as `base64 -w0` writes
// it. Used for `auth` fields in pull secrets and Basic credentials.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace mk {

std::string Base64Encode(std::string_view data);
// Accepts padded or unpadded input; rejects any other character.
Result<std::string> Base64Decode(std::string_view text);

}  // namespace mk
