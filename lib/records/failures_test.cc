#include "records/failures.h"

#include <gtest/gtest.h>

namespace mk::records {
namespace {

TEST(Failures, EachCodeAlone) {
  EXPECT_EQ(ExitFor(Code::kOk), 0);
  EXPECT_EQ(ExitFor(Code::kUnavailable), 3);
  EXPECT_EQ(ExitFor(Code::kDataLoss), 4);
  EXPECT_EQ(ExitFor(Code::kIo), 5);
  for (Code c : {Code::kNotFound, Code::kPermissionDenied, Code::kInvalidArgument, Code::kUnsupported,
                 Code::kAlreadyExists, Code::kInternal, Code::kCancelled})
    EXPECT_EQ(ExitFor(c), 1) << CodeName(c);
}

TEST(Failures, NoneIsSuccess) {
  FailureSet f;
  EXPECT_FALSE(f.any());
  EXPECT_EQ(f.Exit(), 0);
  f.Note(Status::Ok());
  EXPECT_FALSE(f.any());
}

TEST(Failures, AllTransientIsThree) {
  FailureSet f;
  f.Note(Code::kUnavailable);
  f.Note(Unavailable("x"));
  EXPECT_EQ(f.Exit(), 3);
}

TEST(Failures, OnePermanentAmongTransientIsOne) {
  FailureSet f;
  f.Note(Code::kUnavailable);
  f.Note(Code::kNotFound);
  EXPECT_EQ(f.Exit(), 1);
}

TEST(Failures, IntegrityOutranksEverything) {
  FailureSet f;
  f.Note(Code::kIo);
  f.Note(Code::kNotFound);
  f.Note(Code::kUnavailable);
  EXPECT_EQ(f.Exit(), 5);
  FailureSet g;
  g.Note(Code::kDataLoss);
  f.Merge(g);
  EXPECT_EQ(f.Exit(), 4);
}

}  // namespace
}  // namespace mk::records

#include "records/records.h"

namespace mk::records {
namespace {

TEST(Failures, ErrorRecordsNameTheirCode) {
  EXPECT_EQ(Error({2, "source", "bad", {}, Code::kInvalidArgument}).Serialize(),
            R"({"kind":"error","line":2,"field":"source","error":"bad","code":"invalid-argument"})");
  // Without a code (a writer that does not know it), the field is left out.
  EXPECT_EQ(Error({2, "", "bad", {}}).Serialize(), R"({"kind":"error","line":2,"error":"bad"})");
}

}  // namespace
}  // namespace mk::records
