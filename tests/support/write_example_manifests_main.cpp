// `write_example_manifests DIR`: the repository's example manifests written to DIR with their dates moved to
// today (support/example_manifests.hpp), for tests that start checkpointd from outside C++ (tests/browser/).
#include "tests/support/example_manifests.hpp"

#include <chrono>
#include <iostream>

int main(int argc, char** argv)
{
    if (argc != 2) {
        std::cerr << "usage: write_example_manifests DIR\n";
        return 2;
    }
    std::cout << checkpoint::test::write_example_manifests(argv[1], std::chrono::system_clock::now()).string() << '\n';
    return 0;
}
