#include "common/secrets.h"

#include <gtest/gtest.h>

namespace tollgate {
namespace {

TEST(MaskSecret, OneFormForEveryLength) {
  EXPECT_EQ(mask_secret("sk-d3mo0123456789k9Qz"), "sk-d****k9Qz");
  EXPECT_EQ(mask_secret("0123456789abcdef"), "0123****cdef");  // 16: first and last four
  EXPECT_EQ(mask_secret("0123456789abcde"), "01****");         // 15: first two only
  EXPECT_EQ(mask_secret("012345678"), "01****");
  EXPECT_EQ(mask_secret("01234567"), "****");
  EXPECT_EQ(mask_secret(""), "****");
}

TEST(MaskSecrets, MasksEveryOccurrenceLongestFirst) {
  const std::string key = "sk-live-0123456789abcdef";
  const std::string prefix = "sk-live-0123";  // a shorter secret inside the longer one
  EXPECT_EQ(mask_secrets("a " + key + " b " + key + " c " + prefix, {prefix, key}),
            "a sk-l****cdef b sk-l****cdef c sk****");
}

TEST(SecretsOf, CredentialHeadersWithoutSchemeOrTemplates) {
  const Headers h = {{"Authorization", "Bearer sk-abcdefgh"}, {"x-api-key", "k-123456"}, {"API-Key", "abc"},
                     {"X-Auth-Token", "{{token}}"}, {"Accept", "application/json"}};
  EXPECT_EQ(secrets_of(h), (std::vector<std::string>{"sk-abcdefgh", "k-123456"}));
}

TEST(MaskCommandLine, SecretLookingEnvValuesAndHeaderCredentials) {
  const Headers h = {{"Authorization", "Bearer sk-0123456789abcdef"}};
  EXPECT_EQ(mask_command_line("tollgate run x.yaml --env API_KEY=s3cret --env BASE=http://127.0.0.1:1 "
                              "-H 'Authorization: Bearer sk-0123456789abcdef'",
                              h),
            "tollgate run x.yaml --env API_KEY=**** --env BASE=http://127.0.0.1:1 "
            "-H 'Authorization: Bearer sk-0****cdef'");
}

}  // namespace
}  // namespace tollgate
