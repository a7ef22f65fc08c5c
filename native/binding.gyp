{
  "targets": [
    {
      "target_name": "pegasus_adam",
      "type": "static_library",
      "sources": ["src/adam.cc"],
      "cflags_cc!": ["-fno-exceptions"],
      "cflags_cc": ["-std=gnu++17", "-O3", "-march=native", "-fno-math-errno", "-ffp-contract=off", "-fPIC", "-pthread"]
    },
    {
      "target_name": "pegasus_native",
      "dependencies": ["pegasus_adam"],
      "sources": ["src/addon.cc", "src/conv.cc", "src/pool.cc", "src/reduce.cc", "src/pool2d.cc", "src/bn.cc", "src/activation.cc", "src/peak.cc"],
      "cflags_cc!": ["-fno-exceptions"],
      "cflags_cc": ["-std=gnu++17", "-O3", "-march=native", "-fno-math-errno", "-pthread"],
      "ldflags": ["-pthread"]
    }
  ]
}
