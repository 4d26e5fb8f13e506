#pragma once

#include <boost/assert/source_location.hpp>
#include <boost/system/result.hpp>

#include <stdexcept>
#include <string>

namespace checkpoint::workflow {

// What went wrong, in a stable code for programs and a sentence for people.
struct error {
    std::string code;
    std::string message;
};

class error_exception : public std::runtime_error {
public:
    explicit error_exception(error e) : std::runtime_error(e.message), error_(std::move(e)) {}
    const error& get() const noexcept { return error_; }

private:
    error error_;
};

// Found by boost::system::result<T, error>::value() through ADL.
[[noreturn]] inline void throw_exception_from_error(const error& e, const boost::source_location&)
{
    throw error_exception(e);
}

template <class T>
using result = boost::system::result<T, error>;

} // namespace checkpoint::workflow
